export * from './shard-key';
export * from './shard-leases';
export * from './stream-progress';
