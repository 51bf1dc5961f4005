import { EventName, type Contract } from '@stoqey/ib';
import { ManualClock } from './fake-clock';
import { fakeTwsHarness } from './fake-tws-harness';

const h = fakeTwsHarness();
afterEach(() => h.cleanup());

const aapl: Contract = { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' };
const es: Contract = { symbol: 'ES', secType: 'FUT' as never, exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202712' };

describe('fake TWS market data', () => {
  it('describes stocks, ETFs, futures, forex, crypto and indices, and answers 200 for an unknown symbol', async () => {
    const tws = await h.start();
    const client = await h.client(1);
    const wanted: [number, Contract, number, string][] = [
      [1, aapl, 265598, 'COMMON'],
      [2, { symbol: 'SPY', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, 756733, 'ETF'],
      [3, es, 495512563, ''],
      [4, { symbol: 'EUR', secType: 'CASH' as never, exchange: 'IDEALPRO', currency: 'USD' }, 12087792, ''],
      [5, { symbol: 'BTC', secType: 'CRYPTO' as never, exchange: 'PAXOS', currency: 'USD' }, 479624278, ''],
      [6, { symbol: 'SPX', secType: 'IND' as never, exchange: 'CBOE', currency: 'USD' }, 416904, ''],
    ];
    const details = new Map<number, { contract: { conId: number; multiplier?: number }; minTick: number; stockType?: string }>();
    const ended = new Set<number>();
    client.on(EventName.contractDetails, (reqId: number, d: { contract: { conId: number }; minTick: number }) => details.set(reqId, d));
    client.on(EventName.contractDetailsEnd, (reqId: number) => ended.add(reqId));
    for (const [reqId, contract] of wanted) client.api.reqContractDetails(reqId, contract);
    client.api.reqContractDetails(7, { symbol: 'NOPE', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' });
    await client.until('all contract details', () => ended.size === 6 && client.errors.some((e) => e.reqId === 7));
    for (const [reqId, , conId, stockType] of wanted) {
      expect(details.get(reqId)?.contract.conId).toBe(conId);
      expect(details.get(reqId)?.stockType).toBe(stockType);
    }
    expect(details.get(3)).toMatchObject({ minTick: 0.25, contract: { multiplier: 50 } });
    expect(client.errors.find((e) => e.reqId === 7)?.code).toBe(200);
    expect(tws.clientErrors).toEqual([]);
  });

  it('streams moving quotes with sizes, market data type and request parameters', async () => {
    await h.start({ quoteIntervalMs: 5 });
    const client = await h.client(1);
    const bids: number[] = [];
    const sizes = new Map<number, number>();
    let type = 0;
    let params: unknown[] = [];
    client.on(EventName.tickPrice, (_id: number, tickType: number, price: number) => tickType === 1 && bids.push(price));
    client.on(EventName.tickSize, (_id: number, tickType: number, size: number) => sizes.set(tickType, size));
    client.on(EventName.marketDataType, (_id: number, t: number) => (type = t));
    client.on(EventName.tickReqParams, (...args: unknown[]) => (params = args));
    client.api.reqMktData(11, aapl, '', false, false);
    await client.until('20 bid ticks with distinct prices', () => bids.length >= 20 && new Set(bids).size > 1);
    expect(type).toBe(1);
    // The pinned decoder reads minTick as an integer: 0.01 arrives as 0 (a documented quirk).
    expect(params).toEqual([11, 0, 'NASDAQ', 3]);
    expect(sizes.get(0)).toBeGreaterThan(0); // BID_SIZE only via TICK_SIZE
    expect(sizes.get(3)).toBeGreaterThan(0);
    expect(bids.every((b) => b > 150 && b < 250)).toBe(true);
    client.api.cancelMktData(11);
  });

  it('reflects delayed and frozen market data types on the ticks', async () => {
    await h.start({ quoteIntervalMs: 5 });
    const client = await h.client(1);
    const tickTypes = new Set<number>();
    const types: number[] = [];
    client.on(EventName.tickPrice, (_id: number, tickType: number) => tickTypes.add(tickType));
    client.on(EventName.marketDataType, (_id: number, t: number) => types.push(t));
    client.api.reqMarketDataType(3);
    client.api.reqMktData(1, aapl, '', false, false);
    await client.until('delayed bid, ask and last', () => [66, 67, 68].every((t) => tickTypes.has(t)));
    expect([...tickTypes].some((t) => t === 1 || t === 2)).toBe(false);
    client.api.reqMarketDataType(2);
    await client.until('frozen type', () => types.includes(2));
    let count = 0;
    client.on(EventName.tickPrice, () => count++);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(count).toBe(0);
    expect(types).toEqual([3, 2]);
  });

  it('pins a quote set by the test and streams tick-by-tick bid/ask, last and midpoint', async () => {
    const tws = await h.start({ quoteIntervalMs: 5 });
    const client = await h.client(1);
    tws.setQuote('AAPL', 200, 200.02, 200.01);
    const bidAsk = client.next<[number, string, number, number, number, number]>(EventName.tickByTickBidAsk);
    const last = client.next<[number, number, string, number, number]>(EventName.tickByTickAllLast);
    const mid = client.next<[number, string, number]>(EventName.tickByTickMidPoint);
    client.api.reqTickByTickData(21, aapl, 'BidAsk' as never, 0, false);
    client.api.reqTickByTickData(22, aapl, 'AllLast' as never, 0, false);
    client.api.reqTickByTickData(23, aapl, 'MidPoint' as never, 0, false);
    const [bidAskId, , bid, ask, bidSize] = await bidAsk;
    expect([bidAskId, bid, ask]).toEqual([21, 200, 200.02]);
    expect(bidSize).toBeGreaterThan(0);
    const [lastId, lastType, , price] = await last;
    expect([lastId, lastType, price]).toEqual([22, 2, 200.01]);
    expect((await mid).slice(0, 1).concat((await mid)[2])).toEqual([23, 200.01]);
  });

  it('streams depth (MARKET_DEPTH and, with smart depth, MARKET_DEPTH_L2) and real-time bars', async () => {
    await h.start({ quoteIntervalMs: 5, realTimeBarIntervalMs: 20 });
    const client = await h.client(1);
    const plain: unknown[][] = [];
    const l2: unknown[][] = [];
    const bars: unknown[][] = [];
    client.on(EventName.updateMktDepth, (...args: unknown[]) => plain.push(args));
    client.on(EventName.updateMktDepthL2, (...args: unknown[]) => l2.push(args));
    client.on(EventName.realtimeBar, (...args: unknown[]) => bars.push(args));
    client.api.reqMktDepth(31, es, 3, false);
    client.api.reqMktDepth(32, aapl, 2, true);
    client.api.reqRealTimeBars(33, aapl, 5, 'TRADES' as never, false);
    await client.until('depth inserts and updates, three bars', () => plain.length > 12 && l2.length > 8 && bars.length >= 3);
    // Insert rows first (operation 0), bids on side 1 below asks on side 0.
    expect(plain.slice(0, 6).map((a) => [a[0], a[1], a[2], a[3]])).toEqual([
      [31, 0, 0, 1],
      [31, 0, 0, 0],
      [31, 1, 0, 1],
      [31, 1, 0, 0],
      [31, 2, 0, 1],
      [31, 2, 0, 0],
    ]);
    expect(plain[6]?.[2]).toBe(1);
    expect((plain[0]?.[4] as number) < (plain[1]?.[4] as number)).toBe(true);
    expect(l2[0]).toEqual([32, 0, 'NSDQ', 0, 1, expect.any(Number), expect.any(Number), true]);
    const [first, second] = bars as [number[], number[]];
    expect((second[1] as number) - (first[1] as number)).toBe(5);
    const [, , open, high, low, close] = second as [number, number, number, number, number, number];
    expect(high).toBeGreaterThanOrEqual(Math.max(open, close));
    expect(low).toBeLessThanOrEqual(Math.min(open, close));
  });

  it('fails the next request of a kind with an injected error; 10167 switches to delayed data', async () => {
    const tws = await h.start({ quoteIntervalMs: 5 });
    const client = await h.client(1);
    tws.failNextRequest('contractDetails', 200);
    client.api.reqContractDetails(41, aapl);
    await client.until('200', () => client.errors.some((e) => e.reqId === 41 && e.code === 200));
    tws.failNextRequest('marketData', 354);
    client.api.reqMktData(42, aapl, '', false, false);
    await client.until('354', () => client.errors.some((e) => e.reqId === 42 && e.code === 354));
    tws.failNextRequest('marketData', 10167);
    const types: number[] = [];
    client.on(EventName.marketDataType, (id: number, t: number) => id === 43 && types.push(t));
    client.api.reqMktData(43, aapl, '', false, false);
    await client.until('10167 then delayed data', () => client.errors.some((e) => e.reqId === 43 && e.code === 10167) && types.includes(3));
    tws.failNextRequest('any', 10197);
    client.api.reqHistoricalData(44, aapl, '', '1 D', '1 hour' as never, 'TRADES' as never, 0, 1, false);
    await client.until('10197', () => client.errors.some((e) => e.reqId === 44 && e.code === 10197));
    expect(tws.historicalRequests.map((r) => r.reqId)).toEqual([44]);
  });

  it('serves deterministic historical bars for the requested range', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 3, 21, 0, 0));
    await h.start({ clock });
    const client = await h.client(1);
    const bars = new Map<number, [string, number, number, number, number, number][]>();
    const ends = new Map<number, string>();
    client.on(EventName.historicalData, (reqId: number, date: string, open: number, high: number, low: number, close: number, volume: number) => {
      if (date.startsWith('finished')) ends.set(reqId, date);
      else bars.set(reqId, [...(bars.get(reqId) ?? []), [date, open, high, low, close, volume]]);
    });
    client.api.reqHistoricalData(1, aapl, '20250103 16:00:00 US/Eastern', '1 D', '30 mins' as never, 'TRADES' as never, 1, 1, false);
    client.api.reqHistoricalData(2, aapl, '20250103-21:00:00', '1 W', '1 day' as never, 'MIDPOINT' as never, 1, 1, false);
    // Requests reach the fake through the client's throttle: move the clock only once they were served.
    await client.until('two responses', () => ends.size === 2);
    clock.advance(20_000);
    client.api.reqHistoricalData(3, aapl, '20250103 16:00:00 US/Eastern', '1 D', '30 mins' as never, 'TRADES' as never, 1, 2, false);
    await client.until('three responses', () => ends.size === 3);
    // One regular session (9:30-16:00 New York, 14:30-21:00 UTC in January) in 30-minute bars.
    expect(bars.get(1)?.map((b) => b[0])).toEqual(Array.from({ length: 13 }, (_, i) => {
      const t = new Date(Date.UTC(2025, 0, 3, 14, 30) + i * 1_800_000);
      return `20250103 ${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}:00 UTC`;
    }));
    expect(ends.get(1)).toBe('finished-20250102 21:00:00 UTC-20250103 21:00:00 UTC');
    expect(bars.get(2)?.map((b) => b[0])).toEqual(['20241230', '20241231', '20250101', '20250102', '20250103']);
    // Same bars whatever the date format.
    expect(bars.get(3)?.map((b) => b.slice(1))).toEqual(bars.get(1)?.map((b) => b.slice(1)));
    expect(bars.get(3)?.[0]?.[0]).toBe(String(Date.UTC(2025, 0, 3, 14, 30) / 1000));
    for (const [, open, high, low, close, volume] of bars.get(1) ?? []) {
      expect(high).toBeGreaterThanOrEqual(Math.max(open, close));
      expect(low).toBeLessThanOrEqual(Math.min(open, close));
      expect(volume).toBeGreaterThan(0);
    }
  });

  it('enforces historical pacing against the injected clock with error 162', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 3, 21, 0, 0));
    const tws = await h.start({ clock });
    const client = await h.client(1, { maxReqPerSec: 500 });
    let done = 0;
    client.on(EventName.historicalData, (_id: number, date: string) => date.startsWith('finished') && done++);
    const paced = (): number => client.errors.filter((e) => e.code === 162).length;
    const ask = (reqId: number, contract: Contract, end: string): void => {
      client.api.reqHistoricalData(reqId, contract, end, '1 D', '1 min' as never, 'TRADES' as never, 1, 1, false);
    };

    ask(1, aapl, '20250102 16:00:00 UTC');
    ask(2, aapl, '20250102 16:00:00 UTC'); // identical within 15 s
    await client.until('one answer, one 162', () => done === 1 && paced() === 1);
    clock.advance(15_000);
    ask(3, aapl, '20250102 16:00:00 UTC');
    await client.until('identical allowed after 15 s', () => done === 2);

    clock.advance(15_000);
    for (let i = 0; i < 6; i++) ask(10 + i, aapl, `202412${10 + i} 16:00:00 UTC`);
    await client.until('five answers, the sixth paced', () => done === 7 && paced() === 2);
    expect(client.errors.filter((e) => e.code === 162).map((e) => e.reqId)).toEqual([2, 15]);
    clock.advance(2_000);
    ask(16, aapl, '20241215 16:00:00 UTC');
    await client.until('allowed again after 2 s', () => done === 8);
    clock.advance(2_000);

    // Fill the ten-minute window to 60 across three contracts, five per contract per 2 s.
    const contracts = [aapl, es, { symbol: 'SPY', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }];
    let reqId = 100;
    for (let served = 8; served < 60; served++) {
      const minute = served - 8;
      ask(reqId++, contracts[served % 3] as Contract, `20241101 ${10 + Math.floor(minute / 60)}:${String(minute % 60).padStart(2, '0')}:00 UTC`);
      if ((served - 8) % 15 === 14 || served === 59) {
        await client.until(`${served + 1} served`, () => done === served + 1);
        clock.advance(2_000);
      }
    }
    expect(paced()).toBe(2);
    ask(reqId++, { symbol: 'BTC', secType: 'CRYPTO' as never, exchange: 'PAXOS', currency: 'USD' }, '');
    await client.until('the 61st within 10 minutes is paced', () => paced() === 3);
    expect(tws.historicalRequests.filter((r) => r.paced).map((r) => r.reqId)).toEqual([2, 15, reqId - 1]);
    clock.advance(600_000);
    ask(reqId++, { symbol: 'BTC', secType: 'CRYPTO' as never, exchange: 'PAXOS', currency: 'USD' }, '');
    await client.until('served after the window', () => done === 61);
  }, 20_000);

  it('answers 321 for a malformed bar size and 200 for an unknown contract', async () => {
    await h.start();
    const client = await h.client(1);
    client.api.reqHistoricalData(1, aapl, '', '1 D', '7 fortnights' as never, 'TRADES' as never, 1, 1, false);
    client.api.reqHistoricalData(2, { ...aapl, symbol: 'ZZZZ' }, '', '1 D', '1 min' as never, 'TRADES' as never, 1, 1, false);
    await client.until('two errors', () => client.errors.length >= 2);
    expect(client.errors.map((e) => [e.reqId, e.code])).toEqual([
      [1, 321],
      [2, 200],
    ]);
    expect(client.errors[0]?.message).toContain('expected a bar size like "5 mins"');
  });

  it('keeps a historical request up to date with the bar in progress until it is cancelled', async () => {
    await h.start({ quoteIntervalMs: 5, realTimeBarIntervalMs: 20 });
    const client = await h.client(1);
    const updates: [number, string, number, number, number, number][] = [];
    client.on(EventName.historicalDataUpdate, (reqId: number, date: string, open: number, high: number, low: number, close: number) => updates.push([reqId, date, open, high, low, close]));
    client.api.reqHistoricalData(51, aapl, '', '1 D', '5 mins' as never, 'TRADES' as never, 0, 2, true);
    client.api.reqHistoricalData(52, aapl, '20250102 16:00:00 UTC', '1 D', '5 mins' as never, 'TRADES' as never, 0, 1, true);
    await client.until('three updates and a refusal', () => updates.length >= 3 && client.errors.some((e) => e.reqId === 52 && e.code === 321));
    const [reqId, date, , high, low] = updates[0] as [number, string, number, number, number, number];
    expect(reqId).toBe(51);
    expect(Number(date) % 300).toBe(0);
    expect(high).toBeGreaterThanOrEqual(low);
    client.api.cancelHistoricalData(51);
    // The fake serves requests in order: once the time comes back, the cancel has been applied.
    client.api.reqCurrentTime();
    await client.next(EventName.currentTime);
    const seen = updates.length;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(updates.length).toBe(seen);
  });
});
