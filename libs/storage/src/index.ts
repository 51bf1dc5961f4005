export * from './errors';
export * from './logger';
export * from './queryable';
export * from './pg-time';

export * from './schema/schema-types';
export * from './schema/tables';
export * from './schema/validate-schema';
export * from './schema/schema-ddl';
export { nativeSchemaStatements, defaultPartitionName } from './schema/native-ddl';
export {
  timescaleSchemaStatements,
  timescalePolicyStatements,
  compressOrderBy,
  CHUNK_INTERVAL,
  type TimescalePolicyOptions,
} from './schema/timescale-ddl';

export * from './migrations/migrate';
export * from './migrations/migration-list';
export * from './migrations/partitions';
export * from './migrations/timescale-detect';
export { withMigrationLock } from './migrations/migration-lock';

export {
  BinaryCopyEncoder,
  numericParts,
  COPY_HEADER,
  COPY_TRAILER,
  type CopyColumn,
  type CopyRow,
  type CopyValue,
  type JsonValue,
  type NumericParts,
} from './writers/binary-copy-encoder';
export * from './writers/batch-writer';
export * from './writers/row-mappers';
export * from './writers/row-parking';
export * from './writers/order-upsert';
export { classifyFailure, sqlStateOf, type FailureKind } from './writers/pg-errors';

export * from './readers/query-range';
export * from './readers/market-data-readers';
export * from './readers/bar-readers';
export * from './readers/bars-at-interval';
export * from './readers/order-readers';
export * from './readers/account-readers';
export * from './readers/fill-pnl';
export * from './readers/row-counts';

export * from './stores/instrument-cache';
export * from './stores/best-effort-instrument-cache';
export * from './stores/history-store';
export * from './stores/trading-runs';

export * from './embedded-postgres';
export * from './database';

export * from './sharding';
export * from './pool-guard';
