import { schemaStatements, type StoragePath } from '../schema/schema-ddl';
import { SCHEMA } from '../schema/tables';

/** One versioned step of the schema. Applied once, in a transaction, recorded in `ttq_schema_migrations`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The DDL for a storage path. Must never change once released: the recorded checksum is verified. */
  statements(path: StoragePath): string[];
}

/**
 * Every migration, oldest first. Versions 2+ come from `since` markers in the
 * schema description (new tables, added columns) plus hand-written statements
 * for what a description cannot say (renames, data moves).
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', statements: (path) => schemaStatements(SCHEMA, path, 1) },
  {
    version: 2,
    name: 'fill instrument currency and multiplier',
    statements: (path) => schemaStatements(SCHEMA, path, 2),
  },
];
