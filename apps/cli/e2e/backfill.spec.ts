import { migrate } from '@ttquant/storage';
import { assertBuilt, bundlePath, startFakeTws, type FakeTws } from '@ttquant/testing';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { withDatabase } from '../src/database-url';
import { runTtq, type TtqResult } from './run-ttq';

jest.setTimeout(120_000);

const SERVER_URL = process.env['TTQ_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
// Monday to Wednesday: three New York sessions of 390 one-minute bars each.
const RANGE = ['--from', '2026-07-06', '--to', '2026-07-08', '--bar', '1m', '--rth'];
const SESSION_BARS = 390;

interface JsonReport {
  requests: { planned: number; done: number; failed: number };
  barsWritten: number;
  storedBefore: number;
  pacingViolations: number;
  ibDecodeErrors: number;
  stopped: boolean;
  complete: boolean;
  completeness: { expected: number; stored: number; symbols: { symbol: string; expected: number; stored: number; days: { day: string; expected: number; stored: number }[] }[] };
}

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error(`expected a TCP address, was ${String(address)}`);
  return address.port;
}

/** A `ttq` process the test can watch and interrupt like an operator at a terminal would. */
function startTtq(args: readonly string[], env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, [bundlePath('cli'), ...args], { cwd, env: { ...process.env, TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of watchers.filter((w) => w.pattern.test(stderr))) w.resolve();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    /** Resolves when stderr matches, or when the process ends first (the assertions after it then fail with its output). */
    stderrMatches: (pattern: RegExp): Promise<void> =>
      Promise.race([new Promise<void>((resolve) => watchers.push({ pattern, resolve })), exited.then(() => undefined)]),
    /** The exit code and everything printed, once the process ends by itself. */
    async finished(): Promise<{ code: number | null; stdout: string; stderr: string }> {
      const code = await exited;
      return { code, stdout, stderr };
    },
    /** Ctrl-C, then the exit code and everything printed. */
    async interrupt(): Promise<{ code: number | null; stdout: string; stderr: string }> {
      child.kill('SIGINT');
      const code = await exited;
      return { code, stdout, stderr };
    },
  };
}

/**
 * `ttq backfill` as a process against a fake TWS (in this process, speaking
 * the real wire protocol and enforcing IB's pacing on the wall clock, the
 * same clock the command's pacer uses) and the real PostgreSQL, a fresh
 * database per spec file.
 */
describe('ttq backfill', () => {
  const database = `ttq_e2e_backfill_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(SERVER_URL, database);
  let cwd: string;
  let tws: FakeTws;
  let pool: Pool;

  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: url,
    TTQ_IB_HOST: tws.host,
    TTQ_IB_PORT: String(tws.port),
    TTQ_CLI_REQUEST_TIMEOUT: '5s',
    ...extra,
  });
  const backfill = (args: readonly string[], extra: Record<string, string> = {}): Promise<TtqResult> =>
    runTtq(['backfill', ...args], { cwd, env: env(extra), timeoutMs: 90_000 });

  async function storedBars(symbol: string): Promise<{ day: string; bars: number }[]> {
    const result = await pool.query<{ day: string; bars: string }>(
      `SELECT to_char(ts AT TIME ZONE 'America/New_York', 'YYYY-MM-DD') AS day, count(*)::text AS bars
         FROM bars WHERE venue = 'IB' AND symbol = $1 AND interval_seconds = 60 GROUP BY 1 ORDER BY 1`,
      [symbol],
    );
    return result.rows.map((r) => ({ day: r.day, bars: Number(r.bars) }));
  }

  beforeAll(async () => {
    assertBuilt(['cli']);
    cwd = mkdtempSync(join(tmpdir(), 'ttq-backfill-'));
    const admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    pool = new Pool({ connectionString: url, max: 2 });
    await migrate(pool);
    tws = await startFakeTws();
  });

  afterEach(() => {
    // Every message the command sent had the field layout the pinned client produces.
    expect(tws.clientErrors).toEqual([]);
    // No process of this file, each with its own pacer, broke IB's pacing rules (162): they share the pacing journal.
    expect(tws.historicalRequests.filter((r) => r.paced)).toEqual([]);
  });

  afterAll(async () => {
    await tws?.close();
    await pool?.end();
    const admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('stores 2 symbols × 3 days of 1-minute bars, reports them complete, and a second run asks IB for nothing', async () => {
    const before = tws.historicalRequests.length;
    const first = await backfill(['--symbols', 'AAPL,SPY', ...RANGE]);

    expect(first.stderr).not.toMatch(/error|warning/i);
    expect(first.code).toBe(0);
    const requests = tws.historicalRequests.slice(before);
    expect(requests.map((r) => `${r.symbol} ${r.endDateTime} ${r.duration} ${r.barSize} ${r.whatToShow}`)).toEqual([
      'AAPL 20260706-20:00:00 1 D 1 min TRADES',
      'AAPL 20260707-20:00:00 1 D 1 min TRADES',
      'AAPL 20260708-20:00:00 1 D 1 min TRADES',
      'SPY 20260706-20:00:00 1 D 1 min TRADES',
      'SPY 20260707-20:00:00 1 D 1 min TRADES',
      'SPY 20260708-20:00:00 1 D 1 min TRADES',
    ]);
    expect(requests.filter((r) => r.paced)).toEqual([]);
    expect(tws.clientErrors).toEqual([]);

    // The bars are in the database, 390 per symbol and session.
    const days = ['2026-07-06', '2026-07-07', '2026-07-08'].map((day) => ({ day, bars: SESSION_BARS }));
    expect(await storedBars('AAPL')).toEqual(days);
    expect(await storedBars('SPY')).toEqual(days);

    // Progress went to stderr as plain lines (not a terminal); the report to stdout, one row per symbol and day.
    expect(first.stderr).toContain(`6 requests for ${6 * SESSION_BARS} missing bars (0 of ${6 * SESSION_BARS} expected bars already stored)`);
    expect(first.stderr).toMatch(/\[#+\]\s+6\/6\s+100\.0%\s+2340 bars\s+SPY 2026-07-08\s+stored/);
    expect(first.stderr).not.toContain('\r');
    const rows = first.stdout
      .split('\n')
      .filter((line) => /^(AAPL|SPY)\s+2026-/.test(line))
      .map((line) => line.split(/\s+/));
    expect(rows).toEqual(
      ['AAPL', 'SPY'].flatMap((symbol) => days.map((d) => [symbol, d.day, '390', '390', '0', '100.0%'])),
    );
    expect(first.stdout).toContain('requests: 6 of 6 done; bars written: 2340 (0 already stored)');
    expect(first.stdout).toContain('complete: 2340/2340 bars stored');

    // Everything is stored: the plan of a second run is empty and IB hears nothing.
    const afterFirst = tws.historicalRequests.length;
    const second = await backfill(['--symbols', 'AAPL,SPY', ...RANGE, '--json']);
    expect(second.code).toBe(0);
    expect(tws.historicalRequests.length).toBe(afterFirst);
    const report = JSON.parse(second.stdout) as JsonReport;
    expect(report).toMatchObject({
      requests: { planned: 0, done: 0, failed: 0 },
      barsWritten: 0,
      storedBefore: 6 * SESSION_BARS,
      pacingViolations: 0,
      ibDecodeErrors: 0,
      stopped: false,
      complete: true,
      completeness: { expected: 6 * SESSION_BARS, stored: 6 * SESSION_BARS },
    });
    expect(report.completeness.symbols.map((s) => `${s.symbol} ${s.days.map((d) => `${d.day}:${d.stored}/${d.expected}`).join(' ')}`)).toEqual([
      'AAPL 2026-07-06:390/390 2026-07-07:390/390 2026-07-08:390/390',
      'SPY 2026-07-06:390/390 2026-07-07:390/390 2026-07-08:390/390',
    ]);
    expect(second.stderr).toContain(`nothing to fetch: ${6 * SESSION_BARS} of ${6 * SESSION_BARS} expected bars already stored`);
  });

  it('fails naming an unknown symbol (IB 200) before fetching anything', async () => {
    const before = tws.historicalRequests.length;
    const result = await backfill(['--symbols', 'SPY,ZZZQ', '--from', '2026-07-09', '--to', '2026-07-10', '--rth']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ttq: unknown symbol ZZZQ: IB has no security definition for it (error 200)');
    expect(result.stdout).toBe('');
    expect(tws.historicalRequests.length).toBe(before);
    expect((await storedBars('SPY')).map((d) => d.day)).not.toContain('2026-07-09');
  });

  it('exits 69 naming host:port when TWS is unreachable', async () => {
    const port = await closedPort();
    const result = await backfill(['--symbols', 'AAPL', '--from', '2026-07-06', '--rth', '--ib-port', String(port)], { TTQ_CLI_REQUEST_TIMEOUT: '1500ms' });
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(new RegExp(`ttq: TWS / IB Gateway 127\\.0\\.0\\.1:${port}: no API session within 1500 ms`));
  });

  it('stops on Ctrl-C while TWS does not answer yet: exit 130, nothing fetched', async () => {
    const port = await closedPort();
    const run = startTtq(['backfill', '--symbols', 'AAPL', '--from', '2026-07-06', '--rth', '--ib-port', String(port)], env({ TTQ_CLI_REQUEST_TIMEOUT: '60s' }), cwd);
    await run.stderrMatches(/connecting to TWS/);
    const started = Date.now();
    const { code, stdout, stderr } = await run.interrupt();
    expect({ code, stderr }).toMatchObject({ code: 130 });
    expect(stderr).toContain(`ttq: backfill stopped while connecting to TWS at 127.0.0.1:${port}; nothing was fetched`);
    expect(stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('exits 1 listing a request IB refused, and a rerun fetches only that day', async () => {
    const range = ['--symbols', 'SPY', '--from', '2026-07-27', '--to', '2026-07-28', '--rth'];
    const before = tws.historicalRequests.length;
    tws.failNextRequest('historical', 321, 'Error validating request');
    const failed = await backfill(range);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/SPY 2026-07-27: failed — .*321.*Error validating request/);
    expect(failed.stdout).toContain(`incomplete: ${SESSION_BARS} of ${2 * SESSION_BARS} bars missing`);
    expect(tws.historicalRequests.length - before).toBe(2);

    // The refused request counts as sent (IB counts what it received), so its identical twin waits out 15 s first.
    const rerun = await backfill([...range, '--json']);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(/waiting 1\ds for IB pacing/);
    expect(tws.historicalRequests.slice(before + 2).map((r) => `${r.symbol} ${r.endDateTime}`)).toEqual(['SPY 20260727-20:00:00']);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ requests: { planned: 1, done: 1, failed: 0 }, storedBefore: SESSION_BARS, complete: true });
  });

  it('rides out TWS dropping the connection mid-backfill: reconnects and ends complete', async () => {
    // One symbol, eight sessions: the pacing wait after the fifth request is the moment to cut the link.
    const range = ['--symbols', 'AAPL', '--from', '2026-08-03', '--to', '2026-08-12', '--rth'];
    const before = tws.historicalRequests.length;
    const run = startTtq(['backfill', ...range, '--json'], env(), cwd);
    await run.stderrMatches(/waiting \d+s for IB pacing/);
    tws.dropConnections('reset');
    const { code, stdout, stderr } = await run.finished();
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stderr).toContain('warning: IB connection down; reconnecting');
    // The link came back within the pacing wait, so the next request found a session again.
    expect(JSON.parse(stdout)).toMatchObject({ requests: { planned: 8, done: 8, failed: 0 }, pacingViolations: 0, complete: true });
    expect((await storedBars('AAPL')).filter((d) => d.day >= '2026-08-03' && d.day <= '2026-08-12').map((d) => d.bars)).toEqual(Array.from({ length: 8 }, () => SESSION_BARS));
    const sent = tws.historicalRequests.slice(before);
    expect(sent.filter((r) => r.paced)).toEqual([]);
    expect(new Set(sent.map((r) => r.endDateTime)).size).toBe(8);
  });

  it('refuses a live port without a live configuration before connecting (exit 2)', async () => {
    const result = await backfill(['--symbols', 'AAPL', '--from', '2026-07-06', '--ib-port', '4001']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ttq: expected a paper port (7497 or 4002) without live = true, was the live port 4001');
    expect(result.stderr).not.toContain('connecting to TWS');
  });

  it('says what to do when there is no database', async () => {
    const result = await backfill(['--symbols', 'AAPL', '--from', '2026-07-06', '--rth'], { DATABASE_URL: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ttq: no database to store bars in: DATABASE_URL is not set');
  });

  it('stops cleanly on Ctrl-C while waiting for IB pacing: what arrived is stored, exit 130, and a rerun fetches only the rest', async () => {
    // One symbol, eight sessions: IB allows five requests per contract in 2 s, so at the latest the sixth waits (sooner
    // when the pacing journal holds recent AAPL requests of the tests before).
    const days = ['2026-07-13', '2026-07-14', '2026-07-15', '2026-07-16', '2026-07-17', '2026-07-20', '2026-07-21', '2026-07-22'];
    const range = ['--symbols', 'AAPL', '--from', '2026-07-13', '--to', '2026-07-22', '--rth'];
    const before = tws.historicalRequests.length;
    const run = startTtq(['backfill', ...range], env(), cwd);
    await run.stderrMatches(/waiting \d+s for IB pacing/);
    const { code, stdout, stderr } = await run.interrupt();

    expect({ code, stderr }).toMatchObject({ code: 130 });
    expect(stderr).toContain('stopped by Ctrl-C: the bars that arrived are stored');
    // Every request sent before the Ctrl-C was answered and stored, in order; none after it.
    const sent = tws.historicalRequests.slice(before);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(5);
    const done = days.slice(0, sent.length);
    expect(sent.map((r) => r.endDateTime)).toEqual(done.map((day) => `${day.replaceAll('-', '')}-20:00:00`));
    const stored = (await storedBars('AAPL')).filter((d) => d.day >= '2026-07-13' && d.day <= '2026-07-22');
    expect(stored).toEqual(done.map((day) => ({ day, bars: SESSION_BARS })));
    expect(stdout).toContain(`incomplete: ${(8 - sent.length) * SESSION_BARS} of ${8 * SESSION_BARS} bars missing`);

    // Straight away: the stopped process's requests are still within IB's 2 s burst window, and the rerun knows it
    // from the pacing journal in .data/ib-pacing, so it waits instead of earning a 162 (checked after each test).
    const rerun = await backfill([...range, '--json']);
    expect(rerun.code).toBe(0);
    expect(tws.historicalRequests.slice(before + sent.length).map((r) => r.endDateTime)).toEqual(
      days.slice(sent.length).map((day) => `${day.replaceAll('-', '')}-20:00:00`),
    );
    expect(JSON.parse(rerun.stdout)).toMatchObject({
      requests: { planned: 8 - sent.length, done: 8 - sent.length },
      storedBefore: sent.length * SESSION_BARS,
      pacingViolations: 0,
      ibDecodeErrors: 0,
      complete: true,
    });
  });
});
