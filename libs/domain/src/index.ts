export * from './decimal';
export * from './time';
export * from './instrument';
export * from './market-data';
export * from './orders';
export * from './account';
export * from './system';
