export * from './exit-codes';
export * from './run-service';
export * from './service-child';
