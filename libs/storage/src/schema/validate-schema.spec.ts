import { SchemaError } from '../errors';
import type { SchemaDef, TableDef } from './schema-types';
import { SCHEMA, TIME_SERIES_TABLES } from './tables';
import { validateSchema } from './validate-schema';

const ticks: TableDef = {
  name: 'ticks',
  kind: 'time-series',
  doc: 'Ticks.',
  columns: [
    { name: 'ts', type: 'timestamptz', doc: 'Time.' },
    { name: 'venue', type: 'text', doc: 'Venue.' },
    { name: 'seq', type: 'int8', doc: 'Sequence.' },
  ],
  uniqueKeys: [{ name: 'ticks_key', columns: ['venue', 'seq', 'ts'] }],
  timeSeries: { timeColumn: 'ts', segmentBy: ['venue'] },
};

function problemsOf(schema: SchemaDef): string {
  try {
    validateSchema(schema);
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(SchemaError);
    return (err as Error).message;
  }
}

describe('validateSchema', () => {
  it('accepts the TTQuant schema', () => {
    expect(problemsOf(SCHEMA)).toBe('');
  });

  it('lists exactly the time-series tables as such', () => {
    const timeSeries = SCHEMA.tables.filter((t) => t.kind === 'time-series').map((t) => t.name);
    expect([...TIME_SERIES_TABLES].sort()).toEqual(timeSeries.sort());
  });

  it('keeps orders, order events and fills ordinary, with their business keys', () => {
    const byName = new Map<string, TableDef>(SCHEMA.tables.map((t) => [t.name, t]));
    expect(byName.get('orders')).toMatchObject({ kind: 'table', primaryKey: ['account', 'client_order_id'] });
    expect(byName.get('order_events')?.uniqueKeys).toEqual([
      { name: 'order_events_key', columns: ['account', 'client_order_id', 'event_sequence'] },
    ]);
    expect(byName.get('fills')?.uniqueKeys).toEqual([{ name: 'fills_exec_key', columns: ['venue', 'exec_id'] }]);
    expect(byName.get('quote_ticks')?.uniqueKeys).toEqual([
      { name: 'quote_ticks_stream_key', columns: ['source_instance', 'epoch', 'topic', 'seq', 'ts'] },
    ]);
  });

  it('accepts a well-formed time-series table', () => {
    expect(problemsOf({ tables: [ticks], rollups: [] })).toBe('');
  });

  it('refuses a unique key on a time-series table without the time column', () => {
    const bad = { ...ticks, uniqueKeys: [{ name: 'ticks_key', columns: ['venue', 'seq'] }] };
    expect(problemsOf({ tables: [bad], rollups: [] })).toContain('table ticks: unique key ticks_key must include the time column ts');
  });

  it('refuses keys on missing columns, odd names, a non-timestamptz time column and a NOT NULL column added later', () => {
    const bad: TableDef = {
      ...ticks,
      columns: [
        { name: 'ts', type: 'int8', doc: 'Time.' },
        { name: 'Venue', type: 'text', doc: 'Venue.' },
        { name: 'seq', type: 'int8', doc: 'Sequence.', since: 2 },
      ],
      indexes: [{ name: 'ticks_idx', columns: ['nope'] }],
    };
    const message = problemsOf({ tables: [bad], rollups: [] });
    expect(message).toContain('table ticks.Venue: expected a lower-case identifier');
    expect(message).toContain('table ticks: ticks_idx names missing column nope');
    expect(message).toContain('table ticks: expected time column ts to be a NOT NULL timestamptz column');
    expect(message).toContain('table ticks.seq: a column added to an existing table needs to be nullable or have a default');
  });

  it('accepts an index added by a later version, and refuses one older than its columns or its table', () => {
    const later: TableDef = {
      ...ticks,
      columns: [...ticks.columns, { name: 'symbol', type: 'text', doc: 'Symbol.', nullable: true, since: 3 }],
      indexes: [
        { name: 'ticks_symbol_idx', columns: ['symbol', 'ts'], since: 3 },
        { name: 'ticks_early_idx', columns: ['symbol'], since: 2 },
        { name: 'ticks_before_idx', columns: ['venue'], since: 0 },
      ],
      uniqueKeys: [{ name: 'ticks_key', columns: ['venue', 'seq', 'ts', 'symbol'] }],
    };
    const message = problemsOf({ tables: [later], rollups: [] });
    expect(message).not.toContain('ticks_symbol_idx');
    expect(message).toContain('table ticks: index ticks_early_idx (version 2) names column symbol of version 3');
    expect(message).toContain('table ticks: index ticks_before_idx since 0 is older than its table (1)');
    expect(message).toContain('table ticks: ticks_key names column symbol, added later (version 3) than the table');
  });

  it('refuses a name used twice', () => {
    const message = problemsOf({ tables: [ticks, { ...ticks, timeSeries: undefined, kind: 'table', uniqueKeys: [] }], rollups: [] });
    expect(message).toContain('table ticks: expected a unique name, was defined twice');
  });
});
