import type { MarketData, VenueStatus } from '@ttquant/domain';
import type { DataSubscription } from '@ttquant/gateway-api';
import { EventLog } from './event-log';
import { startIbHarness, type IbHarness } from './fake-tws-venue';
import { disposeAfterEach } from './harness-lifecycle';

const AAPL = { venue: 'IB', symbol: 'AAPL' };
const SUBSCRIPTIONS: DataSubscription[] = [
  { kind: 'quotes', instrument: AAPL },
  { kind: 'trades', instrument: AAPL },
  { kind: 'book', instrument: AAPL, depth: 5 },
  { kind: 'bars', instrument: AAPL, intervalSeconds: 5 },
];
const KINDS = ['quote', 'trade', 'book-snapshot', 'bar'] as const;

interface DataRun {
  h: IbHarness;
  data: EventLog<MarketData>;
  statuses: EventLog<VenueStatus>;
}

/** A harness streaming every kind of AAPL data, fast (quotes every 20 ms, bars every 100 ms). */
async function streaming(adapterConfig: Record<string, unknown> = {}): Promise<DataRun> {
  const h = await startIbHarness({ fake: { quoteIntervalMs: 20, realTimeBarIntervalMs: 100 }, adapterConfig });
  const data = new EventLog<MarketData>();
  const statuses = new EventLog<VenueStatus>();
  h.data.onData(data.push);
  h.data.onStatus(statuses.push);
  for (const subscription of SUBSCRIPTIONS) await h.data.subscribe(subscription);
  await everyKindAfter({ h, data, statuses }, 0, 'the first item of every subscription');
  return { h, data, statuses };
}

function countOf(log: EventLog<MarketData>, kind: MarketData['kind'], from: number): number {
  return log.events.slice(from).filter((d) => d.kind === kind).length;
}

/** Waits until every subscription delivered something after event number `from`. */
function everyKindAfter(run: DataRun, from: number, what: string, timeoutMs = 10_000): Promise<void> {
  return run.data.waitFor(() => KINDS.every((kind) => countOf(run.data, kind, from) > 0), what, timeoutMs);
}

/** Runs `fault`, waits for the data channel to go down and come back up; returns the data mark at the reconnection. */
async function downAndUp(run: DataRun, fault: () => unknown, timeoutMs = 10_000): Promise<number> {
  const mark = run.statuses.size;
  await fault();
  await run.statuses.waitFor(
    () => run.statuses.events.slice(mark).some((s) => s.state === 'RECONNECTING' || s.state === 'DISCONNECTED'),
    'the data channel to report the drop',
    timeoutMs,
  );
  await run.statuses.waitFor(() => run.h.data.connectionState === 'CONNECTED', 'the data channel to be CONNECTED again', timeoutMs);
  return run.data.size;
}

describe('IB data client recovery against a fake TWS', () => {
  const track = disposeAfterEach((run: DataRun) => run.h);

  it.each(['clean', 'reset'] as const)(
    'recovers every subscription after the connection is dropped mid-stream (%s close)',
    async (mode) => {
      const run = track(await streaming());
      const h = run.h;
      const mark = await downAndUp(run, () => h.fake.dropConnections(mode));
      expect(run.h.data.subscriptions()).toHaveLength(SUBSCRIPTIONS.length);
      await everyKindAfter(run, mark, 'quotes, trades, books and bars after the reconnect');
    },
    20_000,
  );

  it(
    'recovers every subscription after the gateway restarts on the same port',
    async () => {
      const run = track(await streaming());
      const h = run.h;
      const mark = await downAndUp(run, () => h.fake.restart(300));
      await everyKindAfter(run, mark, 'every kind of data after the restart');
    },
    20_000,
  );

  it(
    're-requests every subscription on 1101 (connectivity restored, data lost) and reports 1100 as DEGRADED',
    async () => {
      const r = track(await streaming());
      r.h.fake.sendNotice(1100);
      await r.statuses.waitFor(() => r.h.data.connectionState === 'DEGRADED', 'DEGRADED on 1100');
      // TWS drops every market data line with 1101: data resumes only if the adapter asks again.
      r.h.fake.sendNotice(1101);
      await r.statuses.waitFor(() => r.h.data.connectionState === 'CONNECTED', 'CONNECTED on 1101');
      const mark = r.data.size;
      await everyKindAfter(r, mark, 'every kind of data after 1101');
      expect(r.statuses.events.some((s) => s.state === 'CONNECTED' && s.detail.includes('1101'))).toBe(true);
    },
    20_000,
  );

  it.each([1100, 2110])(
    'keeps every subscription through %i (DEGRADED) and 1102 (restored, data kept): data flows on the same lines',
    async (code) => {
      const r = track(await streaming());
      r.h.fake.sendNotice(code);
      await r.statuses.waitFor(() => r.h.data.connectionState === 'DEGRADED', `DEGRADED on ${code}`);
      // The socket lives through the outage; TWS keeps the lines and resumes them with 1102, asked for nothing.
      r.h.fake.sendNotice(1102);
      await r.statuses.waitFor(() => r.h.data.connectionState === 'CONNECTED', 'CONNECTED on 1102');
      await everyKindAfter(r, r.data.size, 'every kind of data after 1102');
      expect(r.h.adapter.data.staleResubscriptions).toBe(0);
    },
    20_000,
  );

  it(
    'turns farm notices into data status events (2103 DEGRADED, 2104 CONNECTED)',
    async () => {
      const r = track(await streaming());
      r.h.fake.sendNotice(2103);
      await r.statuses.waitFor(() => r.h.data.connectionState === 'DEGRADED', 'DEGRADED on 2103');
      expect(r.statuses.events.at(-1)?.detail).toContain('2103');
      r.h.fake.sendNotice(2104);
      await r.statuses.waitFor(() => r.h.data.connectionState === 'CONNECTED', 'CONNECTED on 2104');
      r.h.fake.sendNotice(2105);
      await r.statuses.waitFor(() => r.statuses.events.some((s) => s.detail.includes('2105')), 'a status event for 2105');
      expect(r.statuses.events.every((s) => s.channel === 'data' && s.venue === 'IB')).toBe(true);
    },
    20_000,
  );

  it(
    're-requests a quiet live subscription and reports DEGRADED until data flows again',
    async () => {
      // The connection watchdog is set far out, so only the per-subscription watchdog sees the silence.
      const r = track(await streaming({ stalenessTimeoutMs: 400, watchdogIntervalMs: 60_000 }));
      r.h.fake.stall(1_500);
      await r.statuses.waitFor(() => r.statuses.events.some((s) => s.state === 'DEGRADED' && s.detail.includes('quiet')), 'a staleness status');
      expect(r.h.adapter.data.staleResubscriptions).toBeGreaterThan(0);
      expect(r.h.adapter.connection.connectionState).toBe('CONNECTED');
      const mark = r.data.size;
      await r.statuses.waitFor(() => r.statuses.events.some((s) => s.state === 'CONNECTED' && s.detail.includes('flowing again')), 'data flowing again');
      await everyKindAfter(r, mark, 'every kind of data after the silence');
    },
    20_000,
  );

  it(
    'reports a competing live session (10197) as DEGRADED and recovers once data flows',
    async () => {
      const r = track(await streaming({ stalenessTimeoutMs: 400 }));
      await r.h.data.unsubscribe({ kind: 'quotes', instrument: AAPL });
      r.h.fake.failNextRequest('marketData', 10197);
      await r.h.data.subscribe({ kind: 'quotes', instrument: AAPL });
      await r.statuses.waitFor(() => r.statuses.events.some((s) => s.state === 'DEGRADED' && s.detail.includes('10197')), 'DEGRADED for 10197');
      const mark = r.data.size;
      await r.data.waitFor(() => countOf(r.data, 'quote', mark) > 0, 'quotes after the watchdog re-requested the line');
      await r.statuses.waitFor(() => r.h.data.connectionState === 'CONNECTED', 'CONNECTED once quotes flow');
    },
    20_000,
  );

  it(
    'notices a stalled gateway with its watchdog, reconnects and streams again',
    async () => {
      const r = track(await streaming({ watchdogIntervalMs: 200 }));
      const mark = await downAndUp(r, () => r.h.fake.stall(1_500));
      expect(r.statuses.events.some((s) => s.detail.includes('watchdog'))).toBe(true);
      await everyKindAfter(r, mark, 'data after the stall');
    },
    20_000,
  );

  it(
    'decodes a stream whose every byte arrives in its own write',
    async () => {
      const r = track(await streaming());
      r.h.fake.splitWrites(true);
      const mark = r.data.size;
      await everyKindAfter(r, mark, 'every kind of data with one-byte writes');
      r.h.fake.splitWrites(false);
    },
    20_000,
  );

  it(
    'tags every tick with the market data type: delayed when configured',
    async () => {
      const r = track(await streaming({ marketDataType: 'delayed' }));
      const quotes = r.data.filter((d) => d.kind === 'quote');
      expect(quotes.length).toBeGreaterThan(0);
      expect(new Set(quotes.map((q) => q.quality))).toEqual(new Set(['DELAYED']));
    },
    20_000,
  );
});
