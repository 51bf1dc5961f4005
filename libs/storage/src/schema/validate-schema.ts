import { SchemaError } from '../errors';
import { COLUMN_TYPES, type SchemaDef, type TableDef } from './schema-types';

/** Names are emitted unquoted, so they must be plain lower-case identifiers within PostgreSQL's 63 bytes. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Checks that a schema description can generate valid DDL on both paths:
 * identifiers, column types, keys naming existing columns, time-series tables
 * with a `timestamptz` time column contained in every unique key (a unique key
 * on a partitioned table or hypertable must include it).
 *
 * @throws SchemaError listing every problem found.
 */
export function validateSchema(schema: SchemaDef): void {
  const problems: string[] = [];
  const tableNames = new Set<string>();
  const relationNames = new Set<string>();
  for (const table of schema.tables) {
    if (tableNames.has(table.name)) problems.push(`table ${table.name}: expected a unique name, was defined twice`);
    tableNames.add(table.name);
    problems.push(...tableProblems(table, relationNames));
  }
  for (const rollup of schema.rollups) {
    if (!IDENTIFIER.test(rollup.name)) problems.push(`roll-up ${rollup.name}: expected a lower-case identifier`);
    if (relationNames.has(rollup.name)) problems.push(`roll-up ${rollup.name}: name already used by a table or index`);
    relationNames.add(rollup.name);
  }
  if (problems.length > 0) throw new SchemaError(`invalid schema description:\n- ${problems.join('\n- ')}`);
}

function tableProblems(table: TableDef, relationNames: Set<string>): string[] {
  const problems: string[] = [];
  const where = `table ${table.name}`;
  if (!IDENTIFIER.test(table.name)) problems.push(`${where}: expected a lower-case identifier as name`);
  const claim = (name: string): void => {
    if (relationNames.has(name)) problems.push(`${where}: name ${name} already used by another table, key or index`);
    relationNames.add(name);
  };
  claim(table.name);
  const tableSince = table.since ?? 1;
  const columns = new Map(table.columns.map((c) => [c.name, c]));
  if (columns.size !== table.columns.length) problems.push(`${where}: expected unique column names, found duplicates`);
  for (const column of table.columns) {
    if (!IDENTIFIER.test(column.name)) problems.push(`${where}.${column.name}: expected a lower-case identifier`);
    if (!(COLUMN_TYPES as readonly string[]).includes(column.type)) {
      problems.push(`${where}.${column.name}: expected one of ${COLUMN_TYPES.join(', ')}, was ${column.type}`);
    }
    if (column.identity && column.type !== 'int8') problems.push(`${where}.${column.name}: identity columns must be int8`);
    if ((column.since ?? tableSince) < tableSince) {
      problems.push(`${where}.${column.name}: column since ${column.since} is older than its table (${tableSince})`);
    }
    if ((column.since ?? tableSince) > tableSince && !column.nullable && column.default === undefined) {
      problems.push(`${where}.${column.name}: a column added to an existing table needs to be nullable or have a default`);
    }
  }
  const requireColumns = (what: string, names: readonly string[]): void => {
    for (const name of names) if (!columns.has(name)) problems.push(`${where}: ${what} names missing column ${name}`);
  };
  if (table.primaryKey) requireColumns('primary key', table.primaryKey);
  for (const key of [...(table.uniqueKeys ?? []), ...(table.indexes ?? [])]) {
    if (!IDENTIFIER.test(key.name)) problems.push(`${where}: expected a lower-case identifier as key name, was ${key.name}`);
    claim(key.name);
    requireColumns(key.name, key.columns);
  }
  for (const key of [...(table.uniqueKeys ?? []), ...(table.primaryKey ? [{ name: 'primary key', columns: table.primaryKey }] : [])]) {
    if ('since' in key && key.since !== undefined) problems.push(`${where}: ${key.name} is a unique key, which takes no since marker`);
    for (const name of key.columns) {
      const since = columns.get(name)?.since ?? tableSince;
      if (since > tableSince) problems.push(`${where}: ${key.name} names column ${name}, added later (version ${since}) than the table`);
    }
  }
  for (const index of table.indexes ?? []) {
    const since = index.since ?? tableSince;
    if (since < tableSince) problems.push(`${where}: index ${index.name} since ${since} is older than its table (${tableSince})`);
    for (const name of index.columns) {
      const columnSince = columns.get(name)?.since ?? tableSince;
      if (columnSince > since) problems.push(`${where}: index ${index.name} (version ${since}) names column ${name} of version ${columnSince}`);
    }
  }

  if (table.kind === 'time-series') {
    const ts = table.timeSeries;
    if (!ts) return [...problems, `${where}: a time-series table needs timeSeries settings`];
    const timeColumn = columns.get(ts.timeColumn);
    if (timeColumn?.type !== 'timestamptz' || timeColumn.nullable) {
      problems.push(`${where}: expected time column ${ts.timeColumn} to be a NOT NULL timestamptz column`);
    }
    requireColumns('segmentBy', ts.segmentBy);
    if (table.primaryKey && !table.primaryKey.includes(ts.timeColumn)) {
      problems.push(`${where}: the primary key of a time-series table must include ${ts.timeColumn}`);
    }
    for (const key of table.uniqueKeys ?? []) {
      if (!key.columns.includes(ts.timeColumn)) {
        problems.push(`${where}: unique key ${key.name} must include the time column ${ts.timeColumn}`);
      }
    }
    if (table.columns.some((c) => c.identity)) problems.push(`${where}: time-series tables take no identity columns`);
  } else if (table.timeSeries) {
    problems.push(`${where}: timeSeries settings belong to time-series tables only`);
  }
  return problems;
}
