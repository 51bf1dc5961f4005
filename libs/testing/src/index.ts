export * from './service-process';
export * from './sim-stack';
