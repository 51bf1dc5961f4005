import { systemClock, type Instrument, type InstrumentId, type UnixNanos } from '@ttquant/domain';
import { UnknownInstrumentError, type CachedInstrument, type InstrumentCache } from '@ttquant/gateway-api';
import { DEFAULT_FAKE_TWS_CONTRACTS, startFakeTws, type FakeTws } from '@ttquant/testing';
import { AmbiguousContractError, createIbAdapter, type IbAdapter } from '../src';
import { FAST_RECONNECT, expectCleanSession } from './fake-tws-venue';

/** An InstrumentCache in memory, as storage implements it (first seen kept, last seen moved). */
class MemoryInstrumentCache implements InstrumentCache {
  readonly entries = new Map<string, CachedInstrument>();
  puts = 0;

  async get(id: InstrumentId): Promise<CachedInstrument | undefined> {
    return this.entries.get(`${id.venue}:${id.symbol}`);
  }

  async put(instrument: Instrument, seenAt: UnixNanos): Promise<void> {
    this.puts += 1;
    const key = `${instrument.id.venue}:${instrument.id.symbol}`;
    const firstSeen = this.entries.get(key)?.firstSeen ?? seenAt;
    this.entries.set(key, { instrument, firstSeen, lastSeen: seenAt });
  }

  async list(venue?: string): Promise<CachedInstrument[]> {
    return [...this.entries.values()].filter((c) => venue === undefined || c.instrument.id.venue === venue);
  }
}

const INSTRUMENTS = [
  { symbol: 'AAPL', secType: 'STK', primaryExchange: 'NASDAQ' },
  { symbol: 'SPY', secType: 'ETF' },
  { symbol: 'ESZ7', ibSymbol: 'ES', secType: 'FUT', exchange: 'CME', lastTradeDateOrContractMonth: '202712' },
  { symbol: 'EUR.USD', secType: 'CASH' },
  { symbol: 'BTC.USD', secType: 'CRYPTO' },
  { symbol: 'SPX', secType: 'IND' },
];

describe('IB instrument provider against a fake TWS', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setup(cache?: InstrumentCache): Promise<{ fake: FakeTws; ib: IbAdapter }> {
    const fake = await startFakeTws();
    cleanup.push(() => fake.close());
    const ib = createIbAdapter(
      { port: fake.port, clientId: 3, reconnect: FAST_RECONNECT, instruments: INSTRUMENTS },
      { clock: systemClock, ...(cache ? { instrumentCache: cache } : {}) },
      { env: {} },
    );
    cleanup.push(async () => {
      await ib.dispose();
      // Any decode error (IB 505) or refused message fails the test.
      expectCleanSession({ adapter: ib, fake });
    });
    return { fake, ib };
  }

  it('resolves a stock, an ETF, a future, a forex pair, a crypto pair and an index through contract details', async () => {
    const { fake, ib } = await setup();
    const loaded = await ib.instruments.load();
    const view = (symbol: string) => {
      const i = ib.instruments.get({ venue: 'IB', symbol });
      return [i.venueInstrumentId, i.assetClass, i.exchange, i.currency, i.baseCurrency, i.multiplier.toString(), i.tickSize.toString()];
    };
    expect(loaded).toHaveLength(6);
    expect(view('AAPL')).toEqual(['265598', 'EQUITY', 'SMART', 'USD', '', '1', '0.01']);
    expect(view('SPY')).toEqual(['756733', 'ETF', 'SMART', 'USD', '', '1', '0.01']);
    expect(view('ESZ7')).toEqual(['495512563', 'FUTURE', 'CME', 'USD', '', '50', '0.25']);
    expect(view('EUR.USD')).toEqual(['12087792', 'FOREX', 'IDEALPRO', 'USD', 'EUR', '1', '0.00005']);
    expect(view('BTC.USD')).toEqual(['479624278', 'CRYPTO_SPOT', 'PAXOS', 'USD', 'BTC', '1', '0.25']);
    expect(view('SPX')).toEqual(['416904', 'INDEX', 'CBOE', 'USD', '', '1', '0.01']);
    expect(ib.instruments.find('AAPL')?.description).toBe('APPLE INC');
    expect(ib.instruments.contractOf({ venue: 'IB', symbol: 'ESZ7' })).toMatchObject({ conId: 495512563, symbol: 'ES', secType: 'FUT' });
    expectCleanSession({ adapter: ib, fake });
  });

  it('names the symbol IB does not know (IB 200)', async () => {
    const { ib } = await setup();
    const error = await ib.instruments.load([{ venue: 'IB', symbol: 'ZZZZ' }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnknownInstrumentError);
    expect((error as Error).message).toMatch(/expected IB to know ZZZZ \(STK ZZZZ on SMART in USD\), it has no security definition for it/);
    expect(() => ib.instruments.get({ venue: 'IB', symbol: 'ZZZZ' })).toThrow(UnknownInstrumentError);
  });

  it('refuses a symbol IB lists on two primary exchanges unless the config names one, and takes the one it names', async () => {
    const dual = [
      { conId: 9001, symbol: 'DUAL', secType: 'STK' as const, exchange: 'SMART', primaryExchange: 'NYSE', currency: 'USD', minTick: 0.01, startPrice: 10 },
      { conId: 9002, symbol: 'DUAL', secType: 'STK' as const, exchange: 'SMART', primaryExchange: 'ARCA', currency: 'USD', minTick: 0.01, startPrice: 10 },
    ];
    const fake = await startFakeTws({ contracts: [...DEFAULT_FAKE_TWS_CONTRACTS, ...dual] });
    cleanup.push(() => fake.close());
    const build = (instruments: Record<string, unknown>[], clientId: number): IbAdapter => {
      const ib = createIbAdapter({ port: fake.port, clientId, reconnect: FAST_RECONNECT, instruments }, { clock: systemClock }, { env: {} });
      cleanup.push(() => ib.dispose());
      return ib;
    };
    const loose = build([{ symbol: 'DUAL', secType: 'STK' }], 5);
    const error = await loose.instruments.load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AmbiguousContractError);
    expect((error as Error).message).toMatch(/expected exactly one IB contract for DUAL, found 2: conId 9001 .*NYSE.*; conId 9002 .*ARCA.*set conId or primaryExchange/);

    const byExchange = build([{ symbol: 'DUAL', secType: 'STK', primaryExchange: 'ARCA' }], 6);
    expect((await byExchange.instruments.load()).map((i) => i.venueInstrumentId)).toEqual(['9002']);
    const byConId = build([{ symbol: 'DUAL', secType: 'STK', conId: 9001 }], 8);
    expect((await byConId.instruments.load()).map((i) => i.venueInstrumentId)).toEqual(['9001']);
    const wrong = build([{ symbol: 'DUAL', secType: 'STK', primaryExchange: 'NASDAQ' }], 9);
    await expect(wrong.instruments.load()).rejects.toThrow(/with primary exchange NASDAQ, IB offered only: conId 9001/);
    expect(fake.clientErrors).toEqual([]);
  });

  it('writes resolved contracts to the instrument cache and loads from it without asking IB again', async () => {
    const cache = new MemoryInstrumentCache();
    const first = await setup(cache);
    await first.ib.instruments.load();
    expect(cache.puts).toBe(6);
    // A second adapter on a gateway that is gone still loads: every contract is fresh in the cache.
    await first.fake.close();
    const ib = createIbAdapter({ port: first.fake.port, clientId: 4, instruments: INSTRUMENTS }, { clock: systemClock, instrumentCache: cache }, { env: {} });
    cleanup.push(() => ib.dispose());
    const loaded = await ib.instruments.load();
    expect(loaded.map((i) => i.venueInstrumentId)).toEqual(['265598', '756733', '495512563', '12087792', '479624278', '416904']);
    expect(cache.puts).toBe(6);
    expect(ib.connection.connectionState).toBe('DISCONNECTED');
  });
});
