import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../logger';
import { createMigratedSchema } from '../testing/migrated-schema';
import { createTestSchema, type TestSchema } from '../testing/test-schema';
import { RowParker, type ParkedRows } from './row-parking';

describe('RowParker.parkKeyed', () => {
  let schema: TestSchema | undefined;

  afterEach(async () => {
    await schema?.drop();
    schema = undefined;
  });

  it('parks each key once: a key parked already, or given twice, is skipped and not reported', async () => {
    schema = await createMigratedSchema();
    const reports: ParkedRows[] = [];
    const parker = new RowParker(schema.pool, silentLogger, undefined, (parked) => void reports.push(parked));
    const a = { key: '{"n":1}', record: { n: 1 } };
    const b = { key: '{"n":2}', record: { n: 2 } };
    expect(await parker.parkKeyed('bus_messages', [a, a], 'refused', undefined, 0)).toBe('table');
    expect(await parker.parkKeyed('bus_messages', [a], 'refused again', undefined, 0)).toBeUndefined();
    expect(await parker.parkKeyed('bus_messages', [a, b], 'refused', '22021', 1)).toBe('table');
    expect(await parker.parkKeyed('alerts', [a], 'refused', undefined, 0)).toBe('table'); // keys are per table
    expect(reports.map((r) => [r.table, r.rows])).toEqual([
      ['bus_messages', [{ n: 1 }]],
      ['bus_messages', [{ n: 2 }]],
      ['alerts', [{ n: 1 }]],
    ]);
    const rows = await schema.pool.query('SELECT table_name, park_key, row_json, reason FROM ttq_parked_rows ORDER BY id');
    expect(rows.rows).toEqual([
      { table_name: 'bus_messages', park_key: '{"n":1}', row_json: '{"n":1}', reason: 'refused' },
      { table_name: 'bus_messages', park_key: '{"n":2}', row_json: '{"n":2}', reason: 'refused' },
      { table_name: 'alerts', park_key: '{"n":1}', row_json: '{"n":1}', reason: 'refused' },
    ]);
  });

  it('keeps every record in the park file when the table cannot take them: twice beats never', async () => {
    schema = await createTestSchema(); // not migrated: no ttq_parked_rows
    const dir = await mkdtemp(join(tmpdir(), 'ttq-park-'));
    try {
      const parkFile = join(dir, 'parked.jsonl');
      const parker = new RowParker(schema.pool, silentLogger, parkFile, undefined);
      const a = { key: '{"n":1}', record: { n: 1 } };
      expect(await parker.parkKeyed('bus_messages', [a], 'refused', undefined, 0)).toBe('file');
      expect(await parker.parkKeyed('bus_messages', [a], 'refused', undefined, 0)).toBe('file');
      const lines = (await readFile(parkFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { row: unknown });
      expect(lines.map((line) => line.row)).toEqual([{ n: 1 }, { n: 1 }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
