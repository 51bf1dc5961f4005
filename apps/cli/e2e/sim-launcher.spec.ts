import { assertBuilt } from '@ttquant/testing';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropRunDatabase } from '../src/sim/sim-database';
import type { SimSummary } from '../src/sim/sim-summary';
import { runTtq, type TtqResult } from './run-ttq';

const SERVER_URL = process.env['TTQ_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The keys `--summary` promises, in this order. */
const CONTRACT_KEYS = [
  'ticksPublished',
  'ticksStored',
  'ordersSubmitted',
  'ordersStored',
  'fills',
  'fillsStored',
  'closingFills',
  'gaps',
  'realizedPnl',
  'realizedPnlFromStoredFills',
];

/**
 * The launcher end to end: every service as its own process, trading on the
 * sim venue for 15 s and storing into a fresh database on the real server;
 * what was published, made and stored must agree exactly.
 */
describe('ttq sim', () => {
  let cwd: string;
  let result: TtqResult;
  let summary: SimSummary;

  beforeAll(async () => {
    assertBuilt(['hub', 'persistence', 'gateway', 'strategy-engine', 'market-data', 'cli']);
    cwd = mkdtempSync(join(tmpdir(), 'ttq-sim-'));
    const summaryFile = join(cwd, 'summary.json');
    result = await runTtq(['sim', '--duration', '15', '--summary', summaryFile], { cwd, env: { DATABASE_URL: SERVER_URL }, timeoutMs: 170_000 });
    if (existsSync(summaryFile)) summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as SimSummary;
  }, 180_000);

  afterAll(async () => {
    if (summary?.database) await dropRunDatabase(SERVER_URL, summary.database);
    rmSync(cwd, { recursive: true, force: true });
  });

  it('runs and stops every service cleanly', () => {
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    for (const service of ['hub', 'persistence', 'gateway', 'strategy-engine', 'market-data']) {
      expect(result.stderr).toContain(`ttq sim: ${service} stopped`);
      expect(existsSync(join(summary.runDir, `${service}.log`))).toBe(true);
    }
  });

  it('writes the summary with the promised keys: counts as numbers, PnL as decimal strings', () => {
    expect(Object.keys(summary).slice(0, CONTRACT_KEYS.length)).toEqual(CONTRACT_KEYS);
    for (const key of CONTRACT_KEYS.slice(0, 8)) expect(typeof summary[key as keyof SimSummary]).toBe('number');
    expect(summary.realizedPnl).toMatch(/^-?\d+\.\d{4}$/);
    expect(summary.realizedPnlFromStoredFills).toMatch(/^-?\d+\.\d{4}$/);
    expect(summary.database).toMatch(/^ttq_sim_\d{8}_\d{6}_[0-9a-f]{4}$/);
  });

  it('traded: fills, and fills that closed positions', () => {
    expect(summary.fills).toBeGreaterThan(0);
    expect(summary.closingFills).toBeGreaterThan(0);
  });

  it('stored everything that was published and made, with no gaps', () => {
    expect(summary.ticksPublished).toBeGreaterThan(0);
    expect(summary.ticksStored).toBe(summary.ticksPublished);
    expect(summary.fillsStored).toBe(summary.fills);
    expect(summary.ordersStored).toBe(summary.ordersSubmitted);
    expect(summary.gaps).toBe(0);
    expect(summary.problems).toEqual([]);
  });

  it("agrees on realised PnL between the gateway's positions and the stored fills", () => {
    expect(summary.realizedPnlFromStoredFills).toBe(summary.realizedPnl);
  });

  it('prints the same figures for people', () => {
    expect(result.stdout).toContain(`ticks          published ${summary.ticksPublished}, stored ${summary.ticksStored}  ok`);
    expect(result.stdout).toContain(`realised PnL   ${summary.realizedPnl} USD (gateway)`);
  });
});

/**
 * The fault drill: market-data journals every 20th tick but does not send it.
 * Subscribers must see the gaps, and persistence must fetch the missing ticks
 * from market-data's journal, so nothing dropped on the wire is missing in storage
 * (save a stream's very last tick, which no later sequence reveals).
 */
describe('ttq sim with ticks dropped on purpose', () => {
  let cwd: string;
  let result: TtqResult;
  let summary: SimSummary;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'ttq-sim-drop-'));
    const summaryFile = join(cwd, 'summary.json');
    result = await runTtq(['sim', '--duration', '8', '--drop-tick-every', '20', '--summary', summaryFile], {
      cwd,
      env: { DATABASE_URL: SERVER_URL },
      timeoutMs: 150_000,
    });
    if (existsSync(summaryFile)) summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as SimSummary;
  }, 160_000);

  afterAll(async () => {
    if (summary?.database) await dropRunDatabase(SERVER_URL, summary.database);
    rmSync(cwd, { recursive: true, force: true });
  });

  it('reports the gaps', () => {
    expect(result.code).toBe(0);
    expect(summary.gaps).toBeGreaterThan(0);
    expect(summary.problems.join('\n')).toContain('sequence gap(s) were detected');
  });

  it('recovered the dropped ticks from the journal', () => {
    const streams = 2; // SIM:ACME and SIM:BTC-USD
    const published = summary.ticksPublished ?? 0;
    const stored = summary.ticksStored ?? -1;
    expect(published).toBeGreaterThan(100);
    expect(stored).toBeLessThanOrEqual(published);
    expect(stored).toBeGreaterThanOrEqual(published - streams);
    // Without replay, one tick in twenty would be missing.
    expect(published - stored).toBeLessThan(published / 20 - streams);
  });
});
