import { ManualClock, startFakeTws, type FakeTws, type FakeTwsContract } from '@ttquant/testing';
import { createIbAdapter, type IbAdapter } from '../ib-adapter';
import { planBackfill, type BackfillSpec } from './backfill-plan';
import { BackfillRunner } from './backfill-runner';
import { HistoryPacer } from './history-pacer';
import { advancingSleep } from './history-timing';
import { TradingCalendar, US_EQUITY_RTH } from './trading-calendar';
import { MemoryHistoryStore } from './test-support/memory-history-store';
import { stock } from './test-support/history-fixtures';
import { pacingViolations } from './test-support/pacing-rule-checker';

// The fake's regular hours are fixed at 13:30–20:00 UTC, New York's summer
// hours, so the ranges below are summer dates.
const contracts: FakeTwsContract[] = Array.from({ length: 10 }, (_, i) => ({
  conId: 9001 + i,
  symbol: `STK${i}`,
  secType: 'STK',
  exchange: 'SMART',
  primaryExchange: 'NASDAQ',
  currency: 'USD',
  minTick: 0.01,
  startPrice: 50 + i * 10,
}));
const symbols = contracts.map((c) => stock(c.symbol, c.conId));

function backfillSpec(count: number, toMs: number): BackfillSpec {
  return {
    symbols: symbols.slice(0, count),
    fromMs: Date.UTC(2025, 6, 1),
    toMs,
    barSize: '1 min',
    whatToShow: 'TRADES',
    useRth: true,
    calendar: new TradingCalendar(US_EQUITY_RTH),
  };
}

describe('backfill against the fake TWS (pacing enforced on a shared clock)', () => {
  let tws: FakeTws;
  let adapter: IbAdapter;
  let clock: ManualClock;

  // The adapter's own history client over its own connection: @stoqey/ib's
  // message throttle runs in real time, only the pacing clock is simulated.
  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2025, 7, 1, 12));
    tws = await startFakeTws({ clock, contracts });
    adapter = createIbAdapter({ host: tws.host, port: tws.port, clientId: 7 }, {}, { env: {} });
    await adapter.data.connect();
  });

  afterEach(async () => {
    // Every test, the 162 control included: no message the pinned client could not decode, none the fake refused.
    const decodeErrors = adapter.connection.decodeErrors;
    const refused = [...tws.clientErrors];
    await adapter.dispose();
    await tws.close();
    expect(decodeErrors).toBe(0);
    expect(refused).toEqual([]);
  });

  function runner(onProgress?: (done: number) => void, rules?: ConstructorParameters<typeof HistoryPacer>[0]['rules']) {
    const sleep = advancingSleep(clock);
    const store = new MemoryHistoryStore();
    const pacer = new HistoryPacer({ clock, sleep, ...(rules ? { rules } : {}) });
    return {
      store,
      make: (s = store) =>
        new BackfillRunner({
          source: adapter.history,
          store: s,
          pacer,
          clock,
          sleep,
          onEvent: (e) => {
            if (e.kind === 'progress') onProgress?.(e.done);
          },
        }),
    };
  }

  it('runs a backfill of 200 requests without a single 162', async () => {
    // Ten symbols, twenty sessions from 1 to 28 July 2025.
    const spec = backfillSpec(10, Date.UTC(2025, 6, 29));
    const { store, make } = runner();
    const plan = await planBackfill(spec, store, clock.now());
    expect(plan.requests.length).toBe(200);
    const started = clock.now();

    const result = await make().run(plan);

    expect(result).toMatchObject({ total: 200, done: 200, pacingViolations: 0, failed: [], noData: [], stopped: false });
    expect(tws.historicalRequests).toHaveLength(200);
    expect(tws.historicalRequests.filter((r) => r.paced)).toEqual([]);
    expect(adapter.connection.decodeErrors).toBe(0);
    expect(tws.clientErrors).toEqual([]);
    // Checked once more, independently, on the times the fake received the requests.
    const received = tws.historicalRequests.map((r) => ({
      atMs: r.atMs,
      group: `${r.conId}/${r.whatToShow}`,
      identity: `${r.conId}/${r.whatToShow}/${r.endDateTime}/${r.duration}/${r.barSize}`,
    }));
    expect(pacingViolations(received)).toEqual([]);
    // 60 requests in each ten minutes: the last one goes out just after half an hour of simulated time.
    const lastAt = tws.historicalRequests[199]?.atMs ?? 0;
    expect(lastAt - started).toBeGreaterThan(1_800_000);
    expect(lastAt - started).toBeLessThan(1_800_000 + 20_000);
    expect(result.completeness).toMatchObject({ expected: 200 * 390, stored: 200 * 390 });
  }, 120_000);

  it('resumes a stopped backfill by requesting only what is missing', async () => {
    // Three symbols, five sessions (1–3 and 7–8 July; 4 July is left out as a holiday).
    const spec = { ...backfillSpec(3, Date.UTC(2025, 6, 9)), calendar: new TradingCalendar({ ...US_EQUITY_RTH, holidays: ['2025-07-04'] }) };
    const controller = new AbortController();
    const { store, make } = runner((done) => {
      if (done === 7) controller.abort();
    });
    const fullPlan = await planBackfill(spec, store, clock.now());
    expect(fullPlan.requests.length).toBe(15);
    const key = (symbol: string, end: string) => `${symbol} ${end}`;
    const everything = fullPlan.requests.map((r) => key(r.request.contract.symbol, r.request.endDateTime));

    const first = await make().run(fullPlan, controller.signal);
    expect(first).toMatchObject({ done: 7, stopped: true });
    const firstRun = tws.historicalRequests.map((r) => key(r.symbol, r.endDateTime));
    expect(firstRun).toEqual(everything.slice(0, 7));
    expect(first.completeness.stored).toBe(7 * 390);

    const resumedPlan = await planBackfill(spec, store, clock.now());
    const second = await make().run(resumedPlan);
    const secondRun = tws.historicalRequests.slice(firstRun.length).map((r) => key(r.symbol, r.endDateTime));

    expect(secondRun).toEqual(everything.slice(7));
    expect(second).toMatchObject({ done: 8, stopped: false, pacingViolations: 0 });
    expect(second.completeness).toMatchObject({ expected: 15 * 390, stored: 15 * 390 });
    expect(tws.historicalRequests.filter((r) => r.paced)).toEqual([]);
    expect(adapter.connection.decodeErrors).toBe(0);
    // Nothing left: a third plan asks for nothing.
    expect((await planBackfill(spec, store, clock.now())).requests).toEqual([]);
  }, 60_000);

  it('records an unknown symbol (200) and goes on with the others', async () => {
    const ghost = stock('GHOST', 424242);
    const spec = { ...backfillSpec(1, Date.UTC(2025, 6, 3)), symbols: [ghost, symbols[0] ?? ghost] };
    const { store, make } = runner();
    const result = await make().run(await planBackfill(spec, store, clock.now()));
    expect(result.unknownSymbols).toEqual(['IB:GHOST']);
    expect(result.failed.map((o) => `${o.symbol} ${o.day} ${o.status}`)).toEqual(['GHOST 2025-07-01 unknown-symbol', 'GHOST 2025-07-02 skipped']);
    expect(result.completeness.symbols.map((s) => `${s.symbol} ${s.stored}/${s.expected}`)).toEqual(['GHOST 0/780', 'STK0 780/780']);
  }, 60_000);

  it('control: the same fake answers 162 when the pacer is loosened, and the runner counts it', async () => {
    // Ten symbols, seven sessions: 70 requests, ten more than ten minutes allow.
    const spec = backfillSpec(10, Date.UTC(2025, 6, 10));
    const { store, make } = runner(undefined, { globalMax: 1_000, burstMax: 1_000 });
    const result = await make().run(await planBackfill(spec, store, clock.now()));
    expect(tws.historicalRequests.filter((r) => r.paced).length).toBeGreaterThan(0);
    expect(result.pacingViolations).toBe(tws.historicalRequests.filter((r) => r.paced).length);
    expect(result.completeness.stored).toBeLessThan(result.completeness.expected);
  }, 60_000);
});
