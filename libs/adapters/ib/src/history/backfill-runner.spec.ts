import { DisconnectedError, RateLimitError, UnknownInstrumentError, VenueError } from '@ttquant/gateway-api';
import { planBackfill } from './backfill-plan';
import { BackfillRunner, type BackfillEvent, type BackfillRunnerOptions } from './backfill-runner';
import { HistoryPacer } from './history-pacer';
import { advancingSleep } from './history-timing';
import { MemoryHistoryStore } from './test-support/memory-history-store';
import { AAPL, ibBar, minuteTradesSpec, stock } from './test-support/history-fixtures';
import { ScriptedHistorySource } from './test-support/scripted-history-source';
import { pacingViolations } from './test-support/pacing-rule-checker';

const spec = minuteTradesSpec(Date.UTC(2025, 0, 2), Date.UTC(2025, 0, 7));

class TestClock {
  constructor(private ms = Date.UTC(2025, 5, 2, 12)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

function setup(overrides: Partial<BackfillRunnerOptions> = {}) {
  const clock = new TestClock();
  const sleep = advancingSleep(clock);
  const store = new MemoryHistoryStore();
  const source = new ScriptedHistorySource(clock);
  const pacer = new HistoryPacer({ clock, sleep });
  const events: BackfillEvent[] = [];
  const runner = new BackfillRunner({ source, store, pacer, clock, sleep, onEvent: (e) => events.push(e), ...overrides });
  return { clock, store, source, pacer, events, runner };
}

function pacingLog(source: ScriptedHistorySource) {
  return source.seen.map(({ request: r, atMs }) => ({
    atMs,
    group: `${r.contract.conId}/${r.contract.exchange}/${r.whatToShow}`,
    identity: `${r.contract.conId}/${r.endDateTime}/${r.duration}/${r.barSize}/${r.whatToShow}/${r.useRth}`,
  }));
}

describe('BackfillRunner', () => {
  it('fetches every planned session, stores it, reports progress and a complete history', async () => {
    const { clock, store, source, events, runner } = setup();
    const plan = await planBackfill(spec, store, clock.now());
    const result = await runner.run(plan);
    expect(result).toMatchObject({ total: 6, done: 6, barsWritten: 6 * 390, barsRejected: 0, stopped: false, pacingViolations: 0, retries: 0 });
    // The fake answers "1 D" with 24 hours of bars; only the session is kept.
    expect(result.barsOutsideWindow).toBe(6 * (1440 - 390));
    expect(store.writes).toEqual([390, 390, 390, 390, 390, 390]);
    expect(events.filter((e) => e.kind === 'request').map((e) => (e.kind === 'request' ? `${e.done} ${e.symbol} ${e.day}` : ''))[3]).toBe(
      '3 MSFT 2025-01-02',
    );
    const progress = events.filter((e) => e.kind === 'progress');
    expect(progress.map((e) => (e.kind === 'progress' ? `${e.done}/${e.total} ${e.symbol} ${e.day} ${e.bars}` : ''))).toEqual([
      '1/6 AAPL 2025-01-02 390',
      '2/6 AAPL 2025-01-03 780',
      '3/6 AAPL 2025-01-06 1170',
      '4/6 MSFT 2025-01-02 1560',
      '5/6 MSFT 2025-01-03 1950',
      '6/6 MSFT 2025-01-06 2340',
    ]);
    expect(result.completeness).toMatchObject({ expected: 2340, stored: 2340 });
    expect(result.completeness.symbols[1]?.days).toEqual([
      { day: '2025-01-02', expected: 390, stored: 390 },
      { day: '2025-01-03', expected: 390, stored: 390 },
      { day: '2025-01-06', expected: 390, stored: 390 },
    ]);
    expect(pacingViolations(pacingLog(source))).toEqual([]);
    expect((await planBackfill(spec, store, clock.now())).requests).toEqual([]);
  });

  it('resumes a stopped run with only the requests that did not complete', async () => {
    const first = setup();
    const controller = new AbortController();
    const stopAfterTwo = new BackfillRunner({
      source: first.source,
      store: first.store,
      pacer: first.pacer,
      clock: first.clock,
      sleep: advancingSleep(first.clock),
      onEvent: (e) => {
        if (e.kind === 'progress' && e.done === 2) controller.abort();
      },
    });
    const stopped = await stopAfterTwo.run(await planBackfill(spec, first.store, first.clock.now()), controller.signal);
    expect(stopped).toMatchObject({ total: 6, done: 2, stopped: true, barsWritten: 780 });
    expect(stopped.completeness).toMatchObject({ expected: 2340, stored: 780 });
    const firstRun = first.source.seen.map((s) => `${s.request.contract.symbol} ${s.request.endDateTime}`);
    expect(firstRun).toEqual(['AAPL 20250102-21:00:00', 'AAPL 20250103-21:00:00']);

    const resumedPlan = await planBackfill(spec, first.store, first.clock.now());
    const before = first.source.seen.length;
    const resumed = await first.runner.run(resumedPlan);
    const secondRun = first.source.seen.slice(before).map((s) => `${s.request.contract.symbol} ${s.request.endDateTime}`);
    expect(secondRun).toEqual(['AAPL 20250106-21:00:00', 'MSFT 20250102-21:00:00', 'MSFT 20250103-21:00:00', 'MSFT 20250106-21:00:00']);
    expect(resumed).toMatchObject({ total: 4, done: 4, stopped: false });
    expect(resumed.completeness).toMatchObject({ expected: 2340, stored: 2340 });
  });

  it('loses only the request in flight when the process dies, and the next run fetches exactly the rest', async () => {
    const crashed = setup();
    crashed.source.hang.add('AAPL 20250106-21:00:00');
    // Never settles: the "process" dies while the third request is in flight.
    void crashed.runner.run(await planBackfill(spec, crashed.store, crashed.clock.now()));
    while (crashed.source.seen.length < 3) await new Promise((resolve) => setImmediate(resolve));
    expect(crashed.store.writes).toEqual([390, 390]);

    // A new process: new source and runner, the same storage.
    const restarted = setup({ store: crashed.store });
    const resumed = await restarted.runner.run(await planBackfill(spec, crashed.store, restarted.clock.now()));
    expect(restarted.source.seen.map((s) => `${s.request.contract.symbol} ${s.request.endDateTime}`)).toEqual([
      'AAPL 20250106-21:00:00',
      'MSFT 20250102-21:00:00',
      'MSFT 20250103-21:00:00',
      'MSFT 20250106-21:00:00',
    ]);
    expect(resumed.completeness).toMatchObject({ expected: 2340, stored: 2340 });
  });

  it('records no-data windows and skips a symbol IB does not know without asking again', async () => {
    const { clock, store, source, runner } = setup();
    source.script.set('AAPL 20250103-21:00:00', [[]]);
    source.script.set('MSFT 20250102-21:00:00', [new UnknownInstrumentError('No security definition has been found for the request', { venueCode: '200' })]);
    const result = await runner.run(await planBackfill(spec, store, clock.now()));
    expect(result.done).toBe(6);
    expect(result.noData.map((o) => `${o.symbol} ${o.day} ${o.error}`)).toEqual(['AAPL 2025-01-03 IB sent no bars']);
    expect(result.unknownSymbols).toEqual(['IB:MSFT']);
    expect(result.failed.map((o) => `${o.symbol} ${o.day} ${o.status}`)).toEqual([
      'MSFT 2025-01-02 unknown-symbol',
      'MSFT 2025-01-03 skipped',
      'MSFT 2025-01-06 skipped',
    ]);
    expect(source.seen.filter((s) => s.request.contract.symbol === 'MSFT')).toHaveLength(1);
    expect(result.completeness.symbols.map((s) => `${s.symbol} ${s.stored}/${s.expected}`)).toEqual(['AAPL 780/1170', 'MSFT 0/1170']);
  });

  it('tells IB\'s "no data" 162 from a pacing violation', async () => {
    const { clock, store, source, runner } = setup();
    source.script.set('AAPL 20250102-21:00:00', [
      new RateLimitError('Historical Market Data Service error message:HMDS query returned no data: AAPL@SMART Trades', { venueCode: '162' }),
    ]);
    const result = await runner.run(await planBackfill({ ...spec, symbols: [AAPL] }, store, clock.now()));
    expect([result.noData.length, result.pacingViolations, result.retries]).toEqual([1, 0, 0]);
  });

  it('counts a 162 as a bug signal, backs off and retries it once', async () => {
    const { clock, store, source, events, runner } = setup({ pacingBackoffMs: 60_000 });
    const violation = () => new RateLimitError('Historical Market Data Service error message:Historical data request pacing violation', { venueCode: '162' });
    source.script.set('AAPL 20250102-21:00:00', [violation()]);
    source.script.set('AAPL 20250103-21:00:00', [violation(), violation()]);
    const result = await runner.run(await planBackfill({ ...spec, symbols: [AAPL] }, store, clock.now()));
    expect(result.pacingViolations).toBe(3);
    expect(result.failed.map((o) => `${o.day} ${o.status} ${o.attempts}`)).toEqual(['2025-01-03 failed 2']);
    const retried = source.seen.filter((s) => s.request.endDateTime === '20250102-21:00:00');
    expect(retried).toHaveLength(2);
    expect((retried[1]?.atMs ?? 0) - (retried[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(60_000);
    expect(events.filter((e) => e.kind === 'retry').map((e) => (e.kind === 'retry' ? `${e.reason} ${e.attempt} ${e.delayMs}` : ''))).toEqual([
      'pacing 2 60000',
      'pacing 2 60000',
    ]);
    expect(result.completeness.stored).toBe(780);
  });

  it('retries network errors with growing backoff and gives up after the configured attempts', async () => {
    const { clock, store, source, events, runner } = setup({ networkAttempts: 3, retryBaseMs: 1_000 });
    const drop = () => new DisconnectedError('connection to TWS lost');
    source.script.set('AAPL 20250102-21:00:00', [drop(), drop()]);
    source.script.set('AAPL 20250103-21:00:00', [drop(), drop(), drop()]);
    const result = await runner.run(await planBackfill({ ...spec, symbols: [AAPL] }, store, clock.now()));
    expect(events.filter((e) => e.kind === 'retry').map((e) => (e.kind === 'retry' ? `${e.day} ${e.reason} ${e.delayMs}` : ''))).toEqual([
      '2025-01-02 network 1000',
      '2025-01-02 network 2000',
      '2025-01-03 network 1000',
      '2025-01-03 network 2000',
    ]);
    expect(result.failed.map((o) => `${o.day} ${o.attempts} ${o.error}`)).toEqual(['2025-01-03 3 DisconnectedError: connection to TWS lost']);
    expect(result.completeness.stored).toBe(780);
    expect(pacingViolations(pacingLog(source))).toEqual([]);
  });

  it('does not retry what IB refused for good', async () => {
    const { clock, store, source, runner } = setup();
    source.script.set('AAPL 20250102-21:00:00', [new VenueError('Invalid step', { venueCode: '321' })]);
    const result = await runner.run(await planBackfill({ ...spec, symbols: [AAPL] }, store, clock.now()));
    expect(result.failed.map((o) => `${o.status} ${o.attempts} ${o.error}`)).toEqual(['failed 1 VenueError 321: Invalid step']);
    expect(result.retries).toBe(0);
  });

  it('keeps fetched bars through a failing store write, and drops bad bars with a count', async () => {
    const { clock, store, source, runner } = setup({ retryBaseMs: 500 });
    store.failNextWrites.push(new Error('connection to database lost'));
    const start = Date.UTC(2025, 0, 2, 14, 30);
    const bars = Array.from({ length: 390 }, (_, i) => ibBar(start + i * 60_000));
    bars[5] = { ...(bars[5] as (typeof bars)[number]), high: Number.NaN };
    source.script.set('AAPL 20250102-21:00:00', [bars]);
    const result = await runner.run(await planBackfill({ ...spec, symbols: [AAPL], toMs: Date.UTC(2025, 0, 3) }, store, clock.now()));
    expect(result).toMatchObject({ barsWritten: 389, barsRejected: 1, retries: 1, failed: [] });
    expect(source.seen).toHaveLength(1);
    expect(result.completeness.symbols[0]?.days).toEqual([{ day: '2025-01-02', expected: 390, stored: 389 }]);
  });

  it('keeps at most the configured requests in flight, and finishes them when stopped', async () => {
    const { clock, store, source, runner } = setup({ concurrency: 3 });
    let open: () => void = () => undefined;
    source.gate = new Promise<void>((resolve) => (open = resolve));
    const controller = new AbortController();
    const running = runner.run(await planBackfill(spec, store, clock.now()), controller.signal);
    while (source.seen.length < 3) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    open();
    const result = await running;
    expect(source.maxInFlight).toBe(3);
    expect(result).toMatchObject({ done: 3, stopped: true, barsWritten: 3 * 390 });
    expect(result.completeness.stored).toBe(3 * 390);
  });

  it('paces 200 requests within the rules at the rate they allow', async () => {
    const { clock, store, source, runner } = setup();
    const symbols = Array.from({ length: 10 }, (_, i) => stock(`S${i}`, 1000 + i));
    // 20 sessions from 2 January 2025 for 10 symbols.
    const big = { ...spec, symbols, toMs: Date.UTC(2025, 0, 30) };
    const plan = await planBackfill(big, store, clock.now());
    expect(plan.requests.length).toBe(200);
    const start = clock.now();
    const result = await runner.run(plan);
    expect(result).toMatchObject({ done: 200, pacingViolations: 0 });
    expect(pacingViolations(pacingLog(source))).toEqual([]);
    // 60 at once, then 60 per 10 minutes: the 200th goes out just after 30 minutes.
    const last = source.seen[199]?.atMs ?? 0;
    expect(last - start).toBeGreaterThan(1_800_000);
    expect(last - start).toBeLessThan(1_800_000 + 20_000);
  });

  it('refuses options out of range', () => {
    expect(() => setup({ concurrency: 0 })).toThrow('expected concurrency to be a positive whole number, was 0');
  });
});
