import { nativeSchemaStatements } from './native-ddl';
import type { SchemaDef } from './schema-types';
import { SCHEMA } from './tables';

describe('nativeSchemaStatements', () => {
  const statements = nativeSchemaStatements(SCHEMA, 1);

  it('partitions time-series tables by range on their time column, with a DEFAULT partition', () => {
    const createQuotes = statements.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS quote_ticks ('));
    expect(createQuotes).toMatch(/\) PARTITION BY RANGE \(ts\)$/);
    expect(createQuotes).toContain('CONSTRAINT quote_ticks_stream_key UNIQUE (source_instance, epoch, topic, seq, ts)');
    expect(createQuotes).toContain('bid_price numeric NOT NULL');
    expect(createQuotes).toContain('venue text COLLATE "C" NOT NULL');
    expect(statements).toContain('CREATE TABLE IF NOT EXISTS quote_ticks_default PARTITION OF quote_ticks DEFAULT');
    expect(statements).toContain('CREATE INDEX IF NOT EXISTS quote_ticks_instrument_ts_idx ON quote_ticks (venue, symbol, ts)');
  });

  it('creates ledgers as ordinary tables and documents every column', () => {
    const createFills = statements.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS fills ('));
    expect(createFills).not.toContain('PARTITION');
    expect(createFills).toContain('CONSTRAINT fills_exec_key UNIQUE (venue, exec_id)');
    expect(statements).toContain("COMMENT ON COLUMN fills.commission IS 'Commission, in commission_currency (never converted).'");
    expect(statements.some((s) => s.startsWith('COMMENT ON COLUMN venue_status.id'))).toBe(true);
    expect(statements.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS alerts ('))).toContain(
      'id int8 GENERATED ALWAYS AS IDENTITY NOT NULL',
    );
  });

  it('generates later versions from since markers: new tables and added columns only', () => {
    const schema: SchemaDef = {
      tables: [
        {
          name: 'notes',
          kind: 'table',
          doc: 'Notes.',
          columns: [
            { name: 'id', type: 'text', doc: 'Id.' },
            { name: 'body', type: 'text', doc: 'Body.', since: 2, nullable: true },
          ],
          primaryKey: ['id'],
        },
        { name: 'tags', kind: 'table', doc: 'Tags.', since: 2, columns: [{ name: 'tag', type: 'text', doc: 'Tag.' }] },
      ],
      rollups: [],
    };
    const v1 = nativeSchemaStatements(schema, 1);
    expect(v1[0]).toBe('CREATE TABLE IF NOT EXISTS notes (\n  id text COLLATE "C" NOT NULL,\n  CONSTRAINT notes_pkey PRIMARY KEY (id)\n)');
    expect(v1.join('\n')).not.toContain('tags');
    expect(nativeSchemaStatements(schema, 2)).toEqual([
      'ALTER TABLE notes ADD COLUMN IF NOT EXISTS body text COLLATE "C"',
      "COMMENT ON COLUMN notes.body IS 'Body.'",
      'CREATE TABLE IF NOT EXISTS tags (\n  tag text COLLATE "C" NOT NULL\n)',
      "COMMENT ON TABLE tags IS 'Tags.'",
      "COMMENT ON COLUMN tags.tag IS 'Tag.'",
    ]);
  });
});
