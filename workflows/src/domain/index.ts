/** Pure lifecycle decisions. No I/O, no clock: safe to import from workflow code. */
export * from './status';
export * from './transitions';
export * from './names';
export * from './tags';
export * from './variables';
export * from './explain';
export * from './parameter-types';
export * from './parameters';
export * from './autostart';
export * from './schedule';
export * from './prebuilds';
