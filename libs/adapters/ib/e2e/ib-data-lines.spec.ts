import { systemClock, type MarketData, type VenueStatus } from '@ttquant/domain';
import type { AdapterLogger, InstrumentCache } from '@ttquant/gateway-api';
import { startFakeTws } from '@ttquant/testing';
import { createIbAdapter } from '../src';
import { appleStock } from '../src/test-support/instrument-fixtures';
import { EventLog } from './event-log';
import { expectCleanSession, startIbHarness, type IbHarness } from './fake-tws-venue';
import { disposeAfterEach } from './harness-lifecycle';

// Per-line behaviour of the data client against the fake TWS: how quiet each kind of line may be, refusals IB
// lifts by itself, and what every item carries.

const AAPL = { venue: 'IB', symbol: 'AAPL' };
const staleAapl = appleStock('0.05');

interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly context: Record<string, unknown>;
  readonly message: string;
}

/** Keeps the adapter's log records. */
class RecordingLogger implements AdapterLogger {
  readonly records: LogRecord[] = [];
  debug(context: object, message = ''): void {
    this.records.push({ level: 'debug', context: context as Record<string, unknown>, message });
  }
  info(context: object, message = ''): void {
    this.records.push({ level: 'info', context: context as Record<string, unknown>, message });
  }
  warn(context: object, message = ''): void {
    this.records.push({ level: 'warn', context: context as Record<string, unknown>, message });
  }
  error(context: object, message = ''): void {
    this.records.push({ level: 'error', context: context as Record<string, unknown>, message });
  }
}

interface Run {
  h: IbHarness;
  data: EventLog<MarketData>;
  statuses: EventLog<VenueStatus>;
  log: RecordingLogger;
}

async function started(adapterConfig: Record<string, unknown> = {}): Promise<Run> {
  const log = new RecordingLogger();
  const h = await startIbHarness({ fake: { quoteIntervalMs: 20, realTimeBarIntervalMs: 100 }, adapterConfig, logger: log });
  const data = new EventLog<MarketData>();
  const statuses = new EventLog<VenueStatus>();
  h.data.onData(data.push);
  h.data.onStatus(statuses.push);
  return { h, data, statuses, log };
}

function requeriesOf(run: Run, kind: string): number {
  return run.log.records.filter((r) => r.message.includes('quiet; re-requesting') && String(r.context.line).startsWith(kind)).length;
}

describe('IB data lines against a fake TWS', () => {
  const track = disposeAfterEach((run: Run) => run.h);

  it('asks again for a trades line IB refused for now (10190), reporting DEGRADED until trades flow', async () => {
    const r = track(await started());
    r.h.fake.failNextRequest('marketData', 10190);
    await r.h.data.subscribe({ kind: 'trades', instrument: AAPL });
    await r.statuses.waitFor(
      () => r.statuses.events.some((s) => s.state === 'DEGRADED' && /IB 10190: .*retrying in \d+ ms/.test(s.detail)),
      'DEGRADED naming 10190 and the retry',
    );
    await r.data.waitFor(() => r.data.events.some((d) => d.kind === 'trade'), 'trades after the retry');
    await r.statuses.waitFor(() => r.h.data.connectionState === 'CONNECTED', 'CONNECTED once trades flow');
    expect(r.h.data.subscriptions()).toHaveLength(1);
  }, 20_000);

  it('tags reqMktData quotes with the type IB reports for the line, and tick-by-tick, depth and bars, served live only, REALTIME', async () => {
    const r = track(await started({ marketDataType: 'delayed' }));
    await r.h.data.subscribe({ kind: 'quotes', instrument: AAPL });
    await r.h.data.subscribe({ kind: 'trades', instrument: AAPL });
    await r.h.data.subscribe({ kind: 'book', instrument: AAPL, depth: 5 });
    await r.h.data.subscribe({ kind: 'bars', instrument: AAPL, intervalSeconds: 5 });
    const kinds = ['quote', 'trade', 'book-snapshot', 'bar'] as const;
    await r.data.waitFor(() => kinds.every((k) => r.data.events.some((d) => d.kind === k)), 'every kind of data');
    const qualities = (kind: MarketData['kind']): Set<string> => new Set(r.data.events.filter((d) => d.kind === kind).map((d) => d.quality));
    expect(qualities('quote')).toEqual(new Set(['DELAYED']));
    expect(qualities('trade')).toEqual(new Set(['REALTIME']));
    expect(qualities('book-snapshot')).toEqual(new Set(['REALTIME']));
    expect(qualities('bar')).toEqual(new Set(['REALTIME']));
    // IB gives prints no id: none is made up (exchange and second would collide within a second).
    expect(new Set(r.data.events.flatMap((d) => (d.kind === 'trade' ? [d.tradeId] : [])))).toEqual(new Set(['']));
  }, 20_000);

  it('warns once per line when IB quotes a contract with another tick than the (stale, cached) instrument has', async () => {
    const fake = await startFakeTws({ quoteIntervalMs: 20 });
    const log = new RecordingLogger();
    // A cached AAPL from long ago, with a tick of 0.05 where IB now says 0.01; fresh enough to be used.
    const cache: InstrumentCache = {
      get: async (id) => (id.symbol === 'AAPL' ? { instrument: staleAapl, firstSeen: 0n, lastSeen: systemClock.nowNanos() } : undefined),
      put: async () => undefined,
      list: async () => [],
    };
    const ib = createIbAdapter(
      { port: fake.port, clientId: 12, instruments: [{ symbol: 'AAPL', secType: 'STK', primaryExchange: 'NASDAQ' }] },
      { clock: systemClock, logger: log, instrumentCache: cache },
      { env: {} },
    );
    try {
      await ib.instruments.load();
      await ib.data.connect();
      const data = new EventLog<MarketData>();
      ib.data.onData(data.push);
      await ib.data.subscribe({ kind: 'quotes', instrument: AAPL });
      await data.waitFor(() => data.events.filter((d) => d.kind === 'quote').length >= 3, 'quotes');
      const warnings = log.records.filter((r) => r.level === 'warn' && r.message.includes('tick differs'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0].context).toMatchObject({ minTick: 0.01, tickSize: '0.05' });
      expect(ib.data.tickMismatches).toBe(1);
      expectCleanSession({ adapter: ib, fake });
    } finally {
      await ib.dispose();
      await fake.close();
    }
  }, 20_000);

  it('gives a tick-by-tick trades line longer to be quiet than quotes, and backs off re-requesting a quiet line', async () => {
    // The connection watchdog is set far out, so only the per-line watchdog sees the silence.
    const r = track(await started({ stalenessTimeoutMs: 300, watchdogIntervalMs: 60_000 }));
    await r.h.data.subscribe({ kind: 'quotes', instrument: AAPL });
    await r.h.data.subscribe({ kind: 'trades', instrument: AAPL });
    await r.data.waitFor(() => r.data.events.some((d) => d.kind === 'trade') && r.data.events.some((d) => d.kind === 'quote'), 'quotes and trades');
    // 1.3 s of silence: quotes (limit 300 ms, then 600 ms) are asked for again at most twice, trades (1.5 s) never.
    r.h.fake.stall(1_300);
    await r.statuses.waitFor(() => r.statuses.events.some((s) => s.state === 'DEGRADED' && s.detail.includes('quiet')), 'a staleness status');
    await r.statuses.waitFor(() => r.statuses.events.some((s) => s.state === 'CONNECTED' && s.detail.includes('flowing again')), 'data flowing again');
    expect(requeriesOf(r, 'quotes')).toBeGreaterThanOrEqual(1);
    expect(requeriesOf(r, 'quotes')).toBeLessThanOrEqual(2);
    expect(requeriesOf(r, 'trades')).toBe(0);
  }, 20_000);
});
