export * from './connection';
export * from './templates';
export * from './builds';
export * from './api';
export * from './prebuilds';
