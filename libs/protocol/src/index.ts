export * from './errors';
export * from './wire';
export * from './envelope';
export * from './codecs';
