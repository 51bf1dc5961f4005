export * from './record-format';
export * from './journal';
