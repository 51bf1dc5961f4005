import { parse, type Node, type ParseResult } from 'libpg-query';
import { columnsAt } from './ddl-common';
import type { RollupDef, TableDef } from './schema-types';
import { SCHEMA, TIME_SERIES_TABLES } from './tables';
import { timescalePolicyStatements, timescaleSchemaStatements } from './timescale-ddl';

/*
 * The TimescaleDB statements run through PostgreSQL's own parser (libpg-query,
 * the PostgreSQL 17 grammar compiled to WASM), then each parse tree is checked
 * for what it must be: the statement kind, the function called and its
 * arguments against the signatures documented for TimescaleDB 2.17 (the
 * version deploy/ pins: timescale/timescaledb:2.17.2-pg17).
 */

/** A function argument as the parse tree gives it, reduced to what the checks compare. */
type Arg = string | number | boolean | { interval: string } | { column: string } | Call | { named: string; value: Arg };

/** A function call: its name and arguments; `star` for `count(*)`. */
interface Call {
  fn: string;
  args: Arg[];
  star?: true;
}

/**
 * Parameters of the TimescaleDB 2.17 functions used, in declaration order,
 * required ones marked `!` (from the API reference: create_hypertable's
 * generalised interface of 2.13+, by_range, the compression, retention and
 * continuous-aggregate policy functions).
 */
const SIGNATURES: Readonly<Record<string, readonly string[]>> = {
  create_hypertable: ['relation!', 'dimension!', 'create_default_indexes', 'if_not_exists', 'migrate_data'],
  by_range: ['column_name!', 'partition_interval', 'partition_func'],
  add_compression_policy: ['hypertable!', 'compress_after', 'if_not_exists', 'schedule_interval', 'initial_start', 'timezone', 'compress_created_before'],
  remove_compression_policy: ['hypertable!', 'if_exists'],
  add_retention_policy: ['relation!', 'drop_after', 'if_not_exists', 'schedule_interval', 'initial_start', 'timezone', 'drop_created_before'],
  remove_retention_policy: ['relation!', 'if_exists'],
  add_continuous_aggregate_policy: ['continuous_aggregate!', 'start_offset!', 'end_offset!', 'schedule_interval!', 'if_not_exists', 'initial_start', 'timezone'],
  time_bucket: ['bucket_width!', 'ts!'],
  first: ['value!', 'time!'],
  last: ['value!', 'time!'],
};

/** PostgreSQL's own aggregates the roll-ups use: not TimescaleDB's to check. */
const POSTGRES_AGGREGATES = new Set(['max', 'min', 'sum', 'count']);

async function parseOne(sql: string): Promise<Node> {
  const result = (await parse(sql)) as ParseResult;
  const stmts = result.stmts ?? [];
  if (stmts.length !== 1 || !stmts[0]?.stmt) throw new Error(`expected one statement, parsed ${stmts.length}: ${sql}`);
  return stmts[0].stmt;
}

function kindOf(node: Node): string {
  const [kind] = Object.keys(node);
  if (kind === undefined) throw new Error('expected a parse node, was an empty object');
  return kind;
}

function stringsOf(nodes: readonly Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : `<${kindOf(n)}>`));
}

function argOf(node: Node): Arg {
  if ('A_Const' in node) {
    const c = node.A_Const;
    if (c.sval) return c.sval.sval ?? '';
    if (c.boolval) return c.boolval.boolval === true;
    if (c.ival) return c.ival.ival ?? 0;
    throw new Error(`expected a text, boolean or integer constant, was ${JSON.stringify(c)}`);
  }
  if ('TypeCast' in node) {
    const type = stringsOf(node.TypeCast.typeName?.names).join('.');
    const inner = node.TypeCast.arg;
    if (type === 'pg_catalog.interval' && inner && 'A_Const' in inner && inner.A_Const.sval) {
      return { interval: inner.A_Const.sval.sval ?? '' };
    }
    throw new Error(`expected INTERVAL '…', was a cast to ${type}`);
  }
  if ('ColumnRef' in node) return { column: stringsOf(node.ColumnRef.fields).join('.') };
  if ('FuncCall' in node) return callOf(node);
  if ('NamedArgExpr' in node) {
    const { name, arg } = node.NamedArgExpr;
    if (!arg || !name) throw new Error('expected a named argument with a name and a value');
    return { named: name, value: argOf(arg) };
  }
  throw new Error(`expected a constant, column, call or named argument, was ${kindOf(node)}`);
}

function callOf(node: Node): Call {
  if (!('FuncCall' in node)) throw new Error(`expected a function call, was ${kindOf(node)}`);
  const call: Call = { fn: stringsOf(node.FuncCall.funcname).join('.'), args: (node.FuncCall.args ?? []).map(argOf) };
  if (node.FuncCall.agg_star) call.star = true;
  return call;
}

/** `SELECT f(…)` with nothing else: the one call. */
function selectedCall(stmt: Node): Call {
  if (!('SelectStmt' in stmt)) throw new Error(`expected SelectStmt, was ${kindOf(stmt)}`);
  const select = stmt.SelectStmt;
  const targets = select.targetList ?? [];
  if (targets.length !== 1 || select.fromClause || select.whereClause) throw new Error('expected SELECT of exactly one call');
  const target = targets[0];
  if (!target || !('ResTarget' in target) || !target.ResTarget.val) throw new Error('expected a result target');
  return callOf(target.ResTarget.val);
}

/**
 * Binds a call's arguments to the documented parameters the way PostgreSQL
 * does (positional first, then by name) and says what does not fit.
 */
function bindProblems(call: Call): string[] {
  if (POSTGRES_AGGREGATES.has(call.fn)) return [];
  const signature = SIGNATURES[call.fn];
  if (!signature) return [`${call.fn}: not a TimescaleDB 2.17 function this schema is meant to use`];
  const names = signature.map((p) => p.replace(/!$/, ''));
  const bound = new Set<string>();
  const problems: string[] = [];
  let named = false;
  call.args.forEach((arg, i) => {
    if (typeof arg === 'object' && 'named' in arg) {
      named = true;
      if (!names.includes(arg.named)) problems.push(`${call.fn}: no parameter named ${arg.named}`);
      else if (bound.has(arg.named)) problems.push(`${call.fn}: ${arg.named} given twice`);
      bound.add(arg.named);
    } else if (named) problems.push(`${call.fn}: positional argument ${i + 1} after a named one`);
    else if (i >= names.length) problems.push(`${call.fn}: takes at most ${names.length} arguments`);
    else bound.add(names[i] ?? '');
    const inner = typeof arg === 'object' && 'named' in arg ? arg.value : arg;
    if (typeof inner === 'object' && 'fn' in inner) problems.push(...bindProblems(inner));
  });
  for (const parameter of signature) {
    if (parameter.endsWith('!') && !bound.has(parameter.slice(0, -1))) problems.push(`${call.fn}: ${parameter.slice(0, -1)} missing`);
  }
  return problems;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { minute: 60, hour: 3_600, day: 86_400 };

/** Seconds in `'5 minutes'`, `'2 days'` (the forms the schema uses). */
function intervalSeconds(text: string): number {
  const match = /^(\d+) (minute|hour|day)s?$/.exec(text);
  if (!match) throw new Error(`expected an interval such as '5 minutes', was ${JSON.stringify(text)}`);
  return Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? NaN);
}

/** Columns named in a compression setting, parsed as an ORDER BY list: name and direction. */
async function sortList(columns: string): Promise<{ column: string; desc: boolean }[]> {
  const stmt = await parseOne(`SELECT 1 ORDER BY ${columns}`);
  if (!('SelectStmt' in stmt)) throw new Error('expected SelectStmt');
  return (stmt.SelectStmt.sortClause ?? []).map((node) => {
    if (!('SortBy' in node) || !node.SortBy.node || !('ColumnRef' in node.SortBy.node)) throw new Error(`expected a column in ${columns}`);
    return { column: stringsOf(node.SortBy.node.ColumnRef.fields).join('.'), desc: node.SortBy.sortby_dir === 'SORTBY_DESC' };
  });
}

const timeSeriesTables = (SCHEMA.tables as readonly TableDef[]).flatMap((t) =>
  t.kind === 'time-series' && t.timeSeries ? [{ ...t, timeSeries: t.timeSeries }] : [],
);

describe('TimescaleDB DDL through the PostgreSQL parser (libpg-query)', () => {
  const schemaStatements = timescaleSchemaStatements(SCHEMA, 1);
  const policyOptions = { compressAfterDays: 7, retentionDays: { quote_ticks: 30, book_snapshots: 7 } };
  const policyStatements = timescalePolicyStatements(SCHEMA, policyOptions);
  let parsed: { sql: string; stmt: Node }[];

  beforeAll(async () => {
    parsed = [];
    for (const sql of [...schemaStatements, ...policyStatements]) parsed.push({ sql, stmt: await parseOne(sql) });
  });

  const ofKind = (kind: string) => parsed.filter((p) => kindOf(p.stmt) === kind);
  const calls = () => ofKind('SelectStmt').map((p) => selectedCall(p.stmt));

  it('parses the whole migration as a script with one statement per entry, of the expected kinds only', async () => {
    const script = (await parse(schemaStatements.map((s) => `${s};`).join('\n'))) as ParseResult;
    expect(script.stmts).toHaveLength(schemaStatements.length);
    const kinds = new Set(parsed.map((p) => kindOf(p.stmt)));
    expect([...kinds].sort()).toEqual(['AlterTableStmt', 'CommentStmt', 'CreateExtensionStmt', 'CreateStmt', 'CreateTableAsStmt', 'IndexStmt', 'SelectStmt']);
  });

  it('loads the timescaledb extension, once, first', () => {
    expect(kindOf(parsed[0]?.stmt ?? {})).toBe('CreateExtensionStmt');
    expect(ofKind('CreateExtensionStmt').map((p) => p.stmt)).toEqual([{ CreateExtensionStmt: { extname: 'timescaledb', if_not_exists: true } }]);
  });

  it('creates every table as a plain table (no PARTITION BY) with the described columns and unique keys', () => {
    const created = ofKind('CreateStmt').map(({ stmt }) => {
      if (!('CreateStmt' in stmt)) throw new Error('expected CreateStmt');
      const elements = stmt.CreateStmt.tableElts ?? [];
      return {
        name: stmt.CreateStmt.relation?.relname,
        ifNotExists: stmt.CreateStmt.if_not_exists,
        partitioned: stmt.CreateStmt.partspec !== undefined,
        columns: elements.flatMap((e) => ('ColumnDef' in e ? [e.ColumnDef.colname] : [])),
        unique: elements.flatMap((e) => ('Constraint' in e && e.Constraint.contype === 'CONSTR_UNIQUE' ? [stringsOf(e.Constraint.keys)] : [])),
      };
    });
    expect(created).toEqual(
      SCHEMA.tables.map((t) => ({
        name: t.name,
        ifNotExists: true,
        partitioned: false,
        columns: columnsAt(t, 1).map((c) => c.name),
        unique: (t.uniqueKeys ?? []).map((k) => [...k.columns]),
      })),
    );
  });

  it('makes exactly the time-series tables hypertables with create_hypertable(…, by_range(time, 1 day))', () => {
    const hypertables = calls().filter((c) => c.fn === 'create_hypertable');
    expect(hypertables).toEqual(
      timeSeriesTables.map((t) => ({
        fn: 'create_hypertable',
        args: [t.name, { fn: 'by_range', args: [t.timeSeries.timeColumn, { interval: '1 day' }] }, { named: 'if_not_exists', value: true }],
      })),
    );
    expect(hypertables.map((c) => c.args[0])).toEqual([...TIME_SERIES_TABLES]);
    // TimescaleDB requires every unique key of a hypertable to contain its partitioning column.
    for (const table of timeSeriesTables) {
      for (const key of table.uniqueKeys ?? []) expect(key.columns).toContain(table.timeSeries.timeColumn);
    }
  });

  it('enables compression on each hypertable, segmented by its segments and ordered by time then the other unique-key columns', async () => {
    const settings = ofKind('AlterTableStmt').map(({ stmt }) => {
      if (!('AlterTableStmt' in stmt)) throw new Error('expected AlterTableStmt');
      const [cmd, ...more] = stmt.AlterTableStmt.cmds ?? [];
      if (!cmd || more.length > 0 || !('AlterTableCmd' in cmd)) throw new Error('expected one ALTER TABLE command');
      const def = cmd.AlterTableCmd.def;
      const options = def && 'List' in def ? (def.List.items ?? []) : [];
      return {
        table: stmt.AlterTableStmt.relation?.relname ?? '',
        subtype: cmd.AlterTableCmd.subtype,
        options: options.map((o) => {
          if (!('DefElem' in o)) throw new Error('expected DefElem');
          const arg = o.DefElem.arg;
          return { option: `${o.DefElem.defnamespace}.${o.DefElem.defname}`, value: arg && 'String' in arg ? arg.String.sval : undefined };
        }),
      };
    });
    expect(settings.map((s) => s.table)).toEqual([...TIME_SERIES_TABLES]);
    for (const setting of settings) {
      const table = timeSeriesTables.find((t) => t.name === setting.table);
      if (!table) throw new Error(`no time-series table ${setting.table}`);
      expect(setting.subtype).toBe('AT_SetRelOptions');
      expect(setting.options.map((o) => o.option)).toEqual(['timescaledb.compress', 'timescaledb.compress_segmentby', 'timescaledb.compress_orderby']);
      const segmentBy = (await sortList(setting.options[1]?.value ?? '')).map((s) => s.column);
      const orderBy = await sortList(setting.options[2]?.value ?? '');
      expect(segmentBy).toEqual([...table.timeSeries.segmentBy]);
      expect(orderBy[0]).toEqual({ column: table.timeSeries.timeColumn, desc: true });
      // TimescaleDB refuses a column that is both segment-by and order-by, or named twice.
      const named = [...segmentBy, ...orderBy.map((o) => o.column)];
      expect(new Set(named).size).toBe(named.length);
      const columns = new Set(table.columns.map((c) => c.name));
      for (const column of [...segmentBy, ...orderBy.map((o) => o.column)]) expect(columns.has(column)).toBe(true);
      // Compressed chunks can only enforce a unique key whose columns are all segment-by or order-by columns.
      const covered = new Set([...segmentBy, ...orderBy.map((o) => o.column)]);
      for (const key of table.uniqueKeys ?? []) expect(key.columns.filter((c) => !covered.has(c))).toEqual([]);
    }
  });

  it('defines each roll-up as a continuous aggregate over trade_ticks, bucketed on the hypertable time column, created empty', () => {
    const views = ofKind('CreateTableAsStmt').map(({ stmt }) => {
      if (!('CreateTableAsStmt' in stmt)) throw new Error('expected CreateTableAsStmt');
      const { query, into, objtype, if_not_exists } = stmt.CreateTableAsStmt;
      if (!query || !('SelectStmt' in query)) throw new Error('expected a SELECT');
      const select = query.SelectStmt;
      const targets = (select.targetList ?? []).map((t) => {
        if (!('ResTarget' in t) || !t.ResTarget.val) throw new Error('expected ResTarget');
        return { as: t.ResTarget.name, value: argOf(t.ResTarget.val) };
      });
      return {
        name: into?.rel?.relname,
        objtype,
        ifNotExists: if_not_exists,
        options: (into?.options ?? []).map((o) => ('DefElem' in o ? `${o.DefElem.defnamespace}.${o.DefElem.defname}` : kindOf(o))),
        withNoData: into?.skipData,
        from: (select.fromClause ?? []).map((f) => ('RangeVar' in f ? f.RangeVar.relname : kindOf(f))),
        groupBy: (select.groupClause ?? []).map(argOf),
        targets,
      };
    });
    const expected = (rollup: RollupDef) => {
      const bucket: Call = { fn: 'time_bucket', args: [{ interval: rollup.bucket }, { column: 'ts' }] };
      return {
        name: rollup.name,
        objtype: 'OBJECT_MATVIEW',
        ifNotExists: true,
        options: ['timescaledb.continuous'],
        withNoData: true,
        from: ['trade_ticks'],
        groupBy: [{ column: 'venue' }, { column: 'symbol' }, bucket],
        targets: [
          { as: undefined, value: { column: 'venue' } },
          { as: undefined, value: { column: 'symbol' } },
          { as: 'bucket', value: bucket },
          { as: 'open', value: { fn: 'first', args: [{ column: 'price' }, { column: 'ts_ns' }] } },
          { as: 'high', value: { fn: 'max', args: [{ column: 'price' }] } },
          { as: 'low', value: { fn: 'min', args: [{ column: 'price' }] } },
          { as: 'close', value: { fn: 'last', args: [{ column: 'price' }, { column: 'ts_ns' }] } },
          { as: 'volume', value: { fn: 'sum', args: [{ column: 'size' }] } },
          { as: 'trade_count', value: { fn: 'count', args: [], star: true } },
        ],
      };
    };
    expect(views).toEqual(SCHEMA.rollups.map(expected));
    // time_bucket, first and last bound to their documented parameters.
    const viewCalls = views.flatMap((v) => v.targets.map((t) => t.value)).filter((v): v is Call => typeof v === 'object' && 'fn' in v);
    expect(viewCalls.flatMap(bindProblems)).toEqual([]);
    // The bucketed column must be the hypertable's time dimension.
    expect(timeSeriesTables.find((t) => t.name === 'trade_ticks')?.timeSeries.timeColumn).toBe('ts');
  });

  it('sets compression, retention and refresh policies with the documented 2.17 signatures', () => {
    const policies = calls().filter((c) => c.fn !== 'create_hypertable');
    const days = (n: number) => ({ interval: `${n} days` });
    const expected: Call[] = [];
    for (const table of TIME_SERIES_TABLES) {
      expected.push({ fn: 'remove_compression_policy', args: [table, { named: 'if_exists', value: true }] });
      expected.push({ fn: 'add_compression_policy', args: [table, days(7), { named: 'if_not_exists', value: true }] });
      expected.push({ fn: 'remove_retention_policy', args: [table, { named: 'if_exists', value: true }] });
      const keep = (policyOptions.retentionDays as Record<string, number>)[table];
      if (keep !== undefined) expected.push({ fn: 'add_retention_policy', args: [table, days(keep), { named: 'if_not_exists', value: true }] });
    }
    for (const rollup of SCHEMA.rollups) {
      expected.push({
        fn: 'add_continuous_aggregate_policy',
        args: [
          rollup.name,
          { named: 'start_offset', value: { interval: rollup.startOffset } },
          { named: 'end_offset', value: { interval: rollup.endOffset } },
          { named: 'schedule_interval', value: { interval: rollup.scheduleInterval } },
          { named: 'if_not_exists', value: true },
        ],
      });
    }
    expect(policies).toEqual(expected);
    expect(calls().flatMap(bindProblems)).toEqual([]);
  });

  it('gives every refresh policy a window of at least two buckets, as TimescaleDB requires', () => {
    for (const rollup of SCHEMA.rollups) {
      const window = intervalSeconds(rollup.startOffset) - intervalSeconds(rollup.endOffset);
      expect(window / intervalSeconds(rollup.bucket)).toBeGreaterThanOrEqual(2);
    }
  });

  it('catches what it is meant to catch: a misspelt parameter, a missing argument, a syntax error', async () => {
    expect(bindProblems(selectedCall(await parseOne("SELECT add_retention_policy('t', if_not_exist => TRUE)")))).toEqual([
      'add_retention_policy: no parameter named if_not_exist',
    ]);
    expect(bindProblems(selectedCall(await parseOne("SELECT create_hypertable('t', if_not_exists => TRUE)")))).toEqual([
      'create_hypertable: dimension missing',
    ]);
    await expect(parse("SELECT create_hypertable('t', by_range('ts', INTERVAL '1 day')")).rejects.toThrow(/syntax error/);
  });
});
