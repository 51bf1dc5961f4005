import {
  addedColumnStatements,
  columnsAt,
  commentStatements,
  createIndexStatements,
  createTableSql,
} from './ddl-common';
import type { SchemaDef, TableDef } from './schema-types';

/** Name of the catch-all partition of a natively partitioned table. */
export function defaultPartitionName(table: string): string {
  return `${table}_default`;
}

/**
 * DDL of migration `version` for plain PostgreSQL: tables created by it
 * (time-series ones `PARTITION BY RANGE` on their time column, with a DEFAULT
 * partition so no row is ever refused for lack of a partition) and columns it
 * adds to older tables. Daily partitions are created separately by
 * `ensurePartitions`, at every start, because they depend on the date.
 */
export function nativeSchemaStatements(schema: SchemaDef, version: number): string[] {
  const statements: string[] = [];
  for (const table of schema.tables) {
    const since = table.since ?? 1;
    if (since === version) statements.push(...createNativeTable(table, version));
    else if (since < version) statements.push(...addedColumnStatements(table, version));
  }
  return statements;
}

function createNativeTable(table: TableDef, version: number): string[] {
  const statements: string[] = [];
  if (table.kind === 'time-series' && table.timeSeries) {
    statements.push(createTableSql(table, version, `PARTITION BY RANGE (${table.timeSeries.timeColumn})`));
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${defaultPartitionName(table.name)} PARTITION OF ${table.name} DEFAULT`,
    );
  } else {
    statements.push(createTableSql(table, version));
  }
  statements.push(...createIndexStatements(table, version));
  statements.push(...commentStatements(table, columnsAt(table, version), true));
  return statements;
}
