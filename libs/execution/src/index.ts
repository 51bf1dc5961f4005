export * from './execution-sink';
export * from './serial-queue';
export * from './execution-engine';
