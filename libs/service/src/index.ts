export * from './exit-codes';
export * from './run-service';
