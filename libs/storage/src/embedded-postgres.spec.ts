import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { connectDatabase } from './database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { migrate } from './migrations/migrate';
import { MIGRATIONS } from './migrations/migration-list';
import { readQuoteTicks } from './readers/market-data-readers';
import { BTC, DAY0, meta, quote, SECOND } from './testing/fixtures';
import { BatchWriter } from './writers/batch-writer';
import { quoteTickRow } from './writers/row-mappers';

jest.setTimeout(60_000);

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  let root: string;
  let dataDir: string;
  const started: EmbeddedPostgres[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ttq-embedded-'));
    dataDir = join(root, '.data', 'postgres');
    if (process.getuid?.() === 0) {
      // mkdtemp makes the directory 0700: the postgres user could not reach the data inside.
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(
        `found ${root} with mode 700 owned by uid 0; chmod o+x it or choose another dataDir`,
      );
    }
    await chmod(root, 0o755);
  });

  afterAll(async () => {
    for (const server of started) await server.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('initialises a new directory, starts, serves, stops, and restarts on the same data', async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    started.push(first);
    expect(first).toMatchObject({ initialised: true, attached: false, dataDir });
    expect(first.url).toMatch(new RegExp(`^postgres://postgres:[^@]+@127\\.0\\.0\\.1:${first.port}/ttquant$`));
    if (process.getuid?.() === 0) {
      // PostgreSQL refuses to run as root: the directory belongs to the postgres user.
      const owner = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      expect((await stat(dataDir)).uid).toBe(owner);
    }
    await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)');
    expect(await query(first.url, "SELECT current_setting('server_version_num')::int >= 170000 AS v17")).toEqual([{ v17: true }]);

    // A second starter on a running directory attaches instead of failing, and its stop() leaves the server up.
    const second = await startEmbeddedPostgres({ dataDir });
    expect(second).toMatchObject({ attached: true, initialised: false, port: first.port, url: first.url });
    await second.stop();
    expect(await query(first.url, 'SELECT id FROM kept')).toEqual([{ id: 42 }]);

    await first.stop();
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
    await expect(query(first.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);

    const again = await startEmbeddedPostgres({ dataDir });
    started.push(again);
    expect(again).toMatchObject({ initialised: false, attached: false });
    expect(await query(again.url, 'SELECT id FROM kept')).toEqual([{ id: 42 }]);
    await again.stop();
  });

  it('is what connectDatabase uses without a URL, and the whole schema works on it', async () => {
    const db = await connectDatabase({ embedded: { dataDir } });
    try {
      expect(db.embedded).toBe(true);
      const report = await migrate(db.pool, { partitionDaysAhead: 0, now: new Date(Number(DAY0 / 1_000_000n)) });
      expect(report).toMatchObject({ path: 'native', applied: MIGRATIONS.map((m) => m.version) });
      const writer = new BatchWriter(db.pool, 'quote_ticks');
      const ticks = [quote(1), quote(2)];
      for (const [i, tick] of ticks.entries()) await writer.write(quoteTickRow(tick, meta(i + 1)));
      await writer.close();
      expect(await readQuoteTicks(db.pool, { instrument: BTC, from: DAY0, to: DAY0 + SECOND })).toEqual(ticks);
    } finally {
      await db.close();
    }
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  });

  it('refuses a directory that holds something else', async () => {
    const other = join(root, 'not-postgres');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'mine');
    await expect(startEmbeddedPostgres({ dataDir: other })).rejects.toThrow(
      `expected ${other} to be empty or a PostgreSQL data directory, found notes.txt`,
    );
  });
});
