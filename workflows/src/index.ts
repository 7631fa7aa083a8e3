/** @berth/workflows: the engine's public surface for the API, scripts and tests. */
export * from './client';
export * from './config';
export * from './errors';
export * from './types';
export * from './domain';
export * from './db';
export * from './metrics';
export * from './temporal';
export * from './worker';
export * from './toolchain';
export { createActivities, type BerthActivities } from './activities';
export { createArchiveFromDirectory, inspectArchive, extractArchive, DEFAULT_MAX_ARCHIVE_BYTES } from './terraform/archive';
export { startEmbeddedPostgres, freePort } from './db/embedded';
export * from './workflows/definitions';
export * as testing from './testing';
