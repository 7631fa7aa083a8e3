/** @berth/backstage-plugin-common: the Berth API's shapes, routes, OpenAPI document, permissions, search syntax, HTTP client, and the formatting and staged-log helpers every client shares. */
export * from './schemas';
export * from './routes';
export * from './openapi';
export * from './permissions';
export * from './search';
export * from './client';
export * from './checks';
export * from './format';
export * from './stages';
