/** @berth/backstage-plugin-common: the Berth API's shapes, routes, OpenAPI document, permissions, search syntax and HTTP client. */
export * from './schemas';
export * from './routes';
export * from './openapi';
export * from './permissions';
export * from './search';
export * from './client';
