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
 * The start of a parked bus message's `row_json` (persistence's
 * `bus_messages` records are JSON objects that begin with the message's
 * stream position): the position without its closing brace.
 */
const PARKED_POSITION = String.raw`^(\{"topic":"(?:[^"\\]|\\.)*","sourceService":"(?:[^"\\]|\\.)*","sourceInstance":"(?:[^"\\]|\\.)*","epoch":"[0-9]+","sequence":[0-9]+),`;

/**
 * What the schema description cannot say for `ttq_parked_rows.park_key`: rows
 * parked before it get their key where they have one (a bus message: its
 * stream position, the JSON object `{"topic":…,"sequence":n}` it starts
 * with; where one was parked twice, the oldest row only), then the key
 * becomes unique per table, which lets a parker skip what is parked already
 * (`ON CONFLICT DO NOTHING`) instead of scanning the table for it.
 */
const PARK_KEY_STATEMENTS = [
  `UPDATE ttq_parked_rows p SET park_key = k.park_key
     FROM (SELECT DISTINCT ON (table_name, park_key) id, park_key
             FROM (SELECT id, table_name, substring(row_json FROM '${PARKED_POSITION}') || '}' AS park_key FROM ttq_parked_rows) r
            WHERE park_key IS NOT NULL
            ORDER BY table_name, park_key, id) k
    WHERE p.id = k.id`,
  'CREATE UNIQUE INDEX IF NOT EXISTS ttq_parked_rows_key ON ttq_parked_rows (table_name, park_key)',
];

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
  {
    version: 3,
    name: 'parked rows keyed',
    statements: (path) => [...schemaStatements(SCHEMA, path, 3), ...PARK_KEY_STATEMENTS],
  },
];
