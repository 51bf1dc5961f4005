import type { ColumnDef, KeyDef, TableDef } from './schema-types';

/** Quotes a string as an SQL literal. */
export function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Migration version a column belongs to. */
export function columnSince(table: TableDef, column: ColumnDef): number {
  return column.since ?? table.since ?? 1;
}

/** The columns a table has once migration `version` has run. */
export function columnsAt(table: TableDef, version: number): ColumnDef[] {
  return table.columns.filter((c) => columnSince(table, c) <= version);
}

/**
 * `name type [NOT NULL] [DEFAULT …]` as in CREATE TABLE and ADD COLUMN.
 * Text is compared bytewise (`COLLATE "C"`): the text columns are ids,
 * codes and messages, where locale-aware ordering buys nothing and makes
 * every key and index comparison several times slower.
 */
export function columnSql(column: ColumnDef): string {
  const parts = [column.name, column.type === 'text' ? 'text COLLATE "C"' : column.type];
  if (column.identity) parts.push('GENERATED ALWAYS AS IDENTITY');
  if (!column.nullable) parts.push('NOT NULL');
  if (column.default !== undefined) parts.push(`DEFAULT ${column.default}`);
  return parts.join(' ');
}

/** `CREATE TABLE IF NOT EXISTS …` with columns, primary key and unique keys; `suffix` ends it (e.g. `PARTITION BY …`). */
export function createTableSql(table: TableDef, version: number, suffix = ''): string {
  const lines = columnsAt(table, version).map(columnSql);
  if (table.primaryKey) lines.push(`CONSTRAINT ${table.name}_pkey PRIMARY KEY (${table.primaryKey.join(', ')})`);
  for (const key of table.uniqueKeys ?? []) lines.push(`CONSTRAINT ${key.name} UNIQUE (${key.columns.join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${table.name} (\n  ${lines.join(',\n  ')}\n)${suffix ? ` ${suffix}` : ''}`;
}

/** Migration version an index belongs to. */
export function indexSince(table: TableDef, index: KeyDef): number {
  return index.since ?? table.since ?? 1;
}

function createIndexSql(table: TableDef, index: KeyDef): string {
  return `CREATE INDEX IF NOT EXISTS ${index.name} ON ${table.name} (${index.columns.join(', ')})`;
}

/** `CREATE INDEX IF NOT EXISTS` for each index the table has once migration `version` has run. */
export function createIndexStatements(table: TableDef, version: number): string[] {
  return (table.indexes ?? []).filter((index) => indexSince(table, index) <= version).map((index) => createIndexSql(table, index));
}

/** COMMENT ON statements for the table and the given columns. */
export function commentStatements(table: TableDef, columns: readonly ColumnDef[], withTable: boolean): string[] {
  const statements = withTable ? [`COMMENT ON TABLE ${table.name} IS ${sqlLiteral(table.doc)}`] : [];
  for (const column of columns) {
    statements.push(`COMMENT ON COLUMN ${table.name}.${column.name} IS ${sqlLiteral(column.doc)}`);
  }
  return statements;
}

/**
 * For a table older than `version`: the columns `version` adds, as ADD COLUMN
 * statements with their comments, then the indexes it adds.
 */
export function addedColumnStatements(table: TableDef, version: number): string[] {
  const added = table.columns.filter((c) => columnSince(table, c) === version);
  const indexes = (table.indexes ?? []).filter((index) => indexSince(table, index) === version);
  return [
    ...added.map((c) => `ALTER TABLE ${table.name} ADD COLUMN IF NOT EXISTS ${columnSql(c)}`),
    ...commentStatements(table, added, false),
    ...indexes.map((index) => createIndexSql(table, index)),
  ];
}
