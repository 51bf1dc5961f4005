import { nativeSchemaStatements } from './native-ddl';
import type { SchemaDef } from './schema-types';
import { timescaleSchemaStatements } from './timescale-ddl';

/** How time-series tables are stored: PostgreSQL's own partitioning, or TimescaleDB hypertables. */
export type StoragePath = 'native' | 'timescale';

/** The DDL of migration `version` for the given path, generated from one description. */
export function schemaStatements(schema: SchemaDef, path: StoragePath, version: number): string[] {
  return path === 'timescale' ? timescaleSchemaStatements(schema, version) : nativeSchemaStatements(schema, version);
}
