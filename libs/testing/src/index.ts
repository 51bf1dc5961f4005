export * from './service-process';
export * from './sim-stack';
export * from './tcp-proxy';
