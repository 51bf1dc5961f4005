import { randomBytes } from 'node:crypto';
import { migrate } from '@ttquant/storage';
import { Client, Pool } from 'pg';
import { createRunDatabase, databasesToDrop, dropRunDatabase, readStoredRun, simDatabaseName } from './sim-database';

const SERVER_URL = process.env['TTQ_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('simDatabaseName', () => {
  it('turns a run id into a lower-case identifier with the sim prefix', () => {
    expect(simDatabaseName('20250301-120000-AB12')).toBe('ttq_sim_20250301_120000_ab12');
  });
});

describe('databasesToDrop', () => {
  it('keeps the newest runs, the current one counted, and never touches other databases', () => {
    const existing = ['ttq_sim_20250101_000000_aaaa', 'ttq_sim_20250103_000000_aaaa', 'ttq_sim_20250102_000000_aaaa', 'ttquant', 'ttq_sim_20250104_000000_aaaa'];
    expect(databasesToDrop(existing, 'ttq_sim_20250104_000000_aaaa', 3)).toEqual(['ttq_sim_20250101_000000_aaaa']);
    expect(databasesToDrop(existing, 'ttq_sim_20250104_000000_aaaa', 1)).toEqual([
      'ttq_sim_20250103_000000_aaaa',
      'ttq_sim_20250102_000000_aaaa',
      'ttq_sim_20250101_000000_aaaa',
    ]);
  });
});

describe('a run database on the server', () => {
  // A far-future id sorts first, so the keep policy never drops another run's database because of this test.
  const runId = `29991231-235959-${randomBytes(2).toString('hex')}`;
  const name = simDatabaseName(runId);
  afterAll(() => dropRunDatabase(SERVER_URL, name));

  it('is created empty, and after migration its counts read zero', async () => {
    const created = await createRunDatabase(SERVER_URL, runId, 1_000);
    expect(created.name).toBe(name);
    expect(new URL(created.url).pathname).toBe(`/${name}`);
    expect(created.dropped).toEqual([]);

    const client = new Client({ connectionString: created.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
      expect(rows[0]?.db).toBe(name);
    } finally {
      await client.end();
    }
    const pool = new Pool({ connectionString: created.url, max: 1 });
    try {
      await migrate(pool);
    } finally {
      await pool.end();
    }
    const stored = await readStoredRun(created.url, 'SIM001');
    expect(stored.counts).toEqual({ ticks: 0, orders: 0, orderEvents: 0, fills: 0 });
    expect(stored.realizedPnlFromStoredFills.size).toBe(0);
  });
});
