import { RandomWalk, SeededRandom, instrumentSeed, toSimInstrument, type SimInstrumentConfig } from '@ttquant/adapter-sim';
import { Decimal, type Bar, type Instrument, type TradeTick, type UnixNanos } from '@ttquant/domain';
import { DAY0, SECOND, meta } from '../testing/fixtures';
import { createMigratedSchema } from '../testing/migrated-schema';
import type { TestSchema } from '../testing/test-schema';
import { BatchWriter } from '../writers/batch-writer';
import { barRow, tradeTickRow } from '../writers/row-mappers';
import { barsFromTrades, rollUpBars } from './bar-readers';

jest.setTimeout(60_000);

const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;
const DAY = 24n * HOUR;

/*
 * Trades from the sim adapter's random walk, stored through the batch writer,
 * rolled up in SQL, compared bar by bar with bars computed here in TypeScript
 * from the same generated trades. The walk starts two hours before midnight
 * so the trades cross a daily partition boundary.
 */

function simInstrument(symbol: string, tickSize: string, lotSize: string, initialPrice: string): Instrument {
  const entry: SimInstrumentConfig = {
    symbol,
    assetClass: 'CRYPTO_SPOT',
    currency: 'USD',
    baseCurrency: symbol.split('-')[0] ?? '',
    tickSize,
    lotSize,
    minQuantity: '',
    multiplier: '1',
    initialPrice,
    replayFile: '',
  };
  return toSimInstrument('SIM', entry);
}

const BTC = simInstrument('BTC-USD', '0.5', '0.0001', '60000');
const ETH = simInstrument('ETH-USD', '0.01', '0.001', '3000');
const START = DAY0 + 22n * HOUR + 7n * MINUTE + 123_457n; // unaligned, with sub-microsecond digits
const STEPS = 4_000;

/** The walk's trades with irregular gaps (a few at the very same nanosecond, ordered by sequence). */
function generateTrades(instrument: Instrument, seed: number): TradeTick[] {
  const walk = new RandomWalk(
    instrument,
    {
      initialPrice: Decimal.parse(instrument.id.symbol.startsWith('BTC') ? '60000' : '3000'),
      volatilityTicks: 3,
      minSpreadTicks: 1,
      maxSpreadTicks: 4,
      minSizeLots: 1,
      maxSizeLots: 25_000,
      tradeProbability: 0.7,
    },
    instrumentSeed(seed, instrument.id.symbol),
  );
  const gaps = new SeededRandom(seed + 1);
  const trades: TradeTick[] = [];
  let time = START;
  for (let i = 0; i < STEPS; i++) {
    // One step in twenty shares the previous step's nanosecond.
    if (gaps.next() >= 0.05) time += BigInt(gaps.int(1, 4_000_000)) * 1_000n + BigInt(gaps.int(0, 999));
    const { trade } = walk.next(time);
    if (trade) trades.push(trade);
  }
  return trades;
}

/** OHLCV of `trades` in epoch-aligned buckets of `intervalSeconds`, as the readers define them. */
function referenceBars(trades: readonly TradeTick[], intervalSeconds: number, from: UnixNanos, to: UnixNanos): Bar[] {
  const width = BigInt(intervalSeconds) * SECOND;
  const bars = new Map<bigint, Bar>();
  // Trades are in publication order (time, then sequence): first seen opens, last seen closes.
  for (const t of trades) {
    if (t.eventTime < from || t.eventTime >= to) continue;
    const start = (t.eventTime / width) * width;
    if (start < from) continue; // a bucket cut by an unaligned `from` is left out
    const bar = bars.get(start);
    bars.set(
      start,
      bar === undefined
        ? {
            kind: 'bar',
            instrument: t.instrument,
            quality: t.quality,
            eventTime: t.eventTime,
            initTime: t.initTime,
            intervalSeconds,
            startTime: start,
            open: t.price,
            high: t.price,
            low: t.price,
            close: t.price,
            volume: t.size,
            tradeCount: 1,
          }
        : {
            ...bar,
            quality: t.quality,
            eventTime: t.eventTime > bar.eventTime ? t.eventTime : bar.eventTime,
            initTime: t.initTime > bar.initTime ? t.initTime : bar.initTime,
            high: Decimal.max(bar.high, t.price),
            low: Decimal.min(bar.low, t.price),
            close: t.price,
            volume: bar.volume.add(t.size),
            tradeCount: bar.tradeCount + 1,
          },
    );
  }
  return [...bars.values()].sort((a, b) => (a.startTime < b.startTime ? -1 : 1));
}

/** A bar as comparable text: decimals keep their scale, so '1.50' and '1.5' differ. */
function barText(bar: Bar): string[] {
  return [
    `${bar.instrument.venue}:${bar.instrument.symbol}`,
    bar.startTime.toString(),
    String(bar.intervalSeconds),
    bar.open.toString(),
    bar.high.toString(),
    bar.low.toString(),
    bar.close.toString(),
    bar.volume.toString(),
    String(bar.tradeCount),
    bar.eventTime.toString(),
    bar.initTime.toString(),
    bar.quality,
  ];
}

describe('bar roll-ups from stored sim trades equal bars computed in TypeScript', () => {
  let schema: TestSchema;
  const btcTrades = generateTrades(BTC, 7);
  const ethTrades = generateTrades(ETH, 11);
  const last = btcTrades[btcTrades.length - 1]?.eventTime ?? START;
  const from = (START / HOUR) * HOUR; // 22:00, aligned
  const to = (last / HOUR + 1n) * HOUR;
  // Whole days around the trades, which cross midnight: two daily bars.
  const dayFrom = (START / DAY) * DAY;
  const dayTo = dayFrom + 2n * DAY;

  beforeAll(async () => {
    schema = await createMigratedSchema();
    // Small batches: many COPYs, interleaving the two instruments' streams.
    const writer = new BatchWriter(schema.pool, 'trade_ticks', { batchRows: 500 });
    let sequence = 0;
    // Merged by time as a bus delivers them (the sort is stable: same-nanosecond trades of one instrument keep their order).
    const byTime = [...btcTrades.map((t) => ({ t, topic: 'md.tick.SIM.BTC-USD' })), ...ethTrades.map((t) => ({ t, topic: 'md.tick.SIM.ETH-USD' }))].sort(
      (a, b) => (a.t.eventTime < b.t.eventTime ? -1 : a.t.eventTime > b.t.eventTime ? 1 : 0),
    );
    // Each instrument keeps its own stream sequence; within a nanosecond, sequence orders trades.
    const sequences = new Map<string, number>();
    for (const { t, topic } of byTime) {
      const next = (sequences.get(topic) ?? 0) + 1;
      sequences.set(topic, next);
      sequence += 1;
      await writer.write(tradeTickRow(t, meta(next, topic)));
    }
    await writer.close();
    expect(writer.stats.rowsWritten).toBe(sequence);
  });

  afterAll(async () => {
    await schema.drop();
  });

  it('generated a market worth checking: thousands of trades over several hours, across midnight, with same-nanosecond ties', () => {
    expect(btcTrades.length).toBeGreaterThan(2_500);
    expect(last - START).toBeGreaterThan(2n * HOUR);
    expect(START < DAY0 + 24n * HOUR && last > DAY0 + 24n * HOUR).toBe(true);
    const ties = btcTrades.filter((t, i) => i > 0 && t.eventTime === btcTrades[i - 1]?.eventTime).length;
    expect(ties).toBeGreaterThan(10);
    // Sizes carry the lot's four places, prices the half-unit tick: exactness is tested, not assumed.
    expect(btcTrades.some((t) => t.size.scale === 4) && btcTrades.some((t) => t.price.toString().endsWith('.5'))).toBe(true);
  });

  it.each([
    ['1m', 60],
    ['5m', 300],
    ['1h', 3_600],
  ])('computes every %s bar from the stored trades exactly', async (_name, seconds) => {
    for (const [instrument, trades] of [
      [BTC, btcTrades],
      [ETH, ethTrades],
    ] as const) {
      const expected = referenceBars(trades, seconds, from, to);
      const stored = await barsFromTrades(schema.pool, { instrument: instrument.id, intervalSeconds: seconds, from, to });
      expect(stored.map(barText)).toEqual(expected.map(barText));
      expect(stored.reduce((n, b) => n + b.tradeCount, 0)).toBe(trades.length);
    }
  });

  it('computes the 1d bars (two days: the trades cross midnight) from the stored trades exactly', async () => {
    for (const [instrument, trades] of [
      [BTC, btcTrades],
      [ETH, ethTrades],
    ] as const) {
      const expected = referenceBars(trades, 86_400, dayFrom, dayTo);
      const stored = await barsFromTrades(schema.pool, { instrument: instrument.id, intervalSeconds: 86_400, from: dayFrom, to: dayTo });
      expect(stored).toHaveLength(2);
      expect(stored.map(barText)).toEqual(expected.map(barText));
      expect(stored.reduce((n, b) => n + b.tradeCount, 0)).toBe(trades.length);
    }
  });

  it('treats an unaligned range as the reference does: a bucket cut at the start left out, one cut at the end partial', async () => {
    const cutFrom = from + 90n * MINUTE + 17n * SECOND + 5n;
    const cutTo = from + 3n * HOUR + 2n * MINUTE + 30n * SECOND;
    for (const seconds of [60, 300, 3_600]) {
      const expected = referenceBars(btcTrades, seconds, cutFrom, cutTo);
      const stored = await barsFromTrades(schema.pool, { instrument: BTC.id, intervalSeconds: seconds, from: cutFrom, to: cutTo });
      expect(stored.length).toBeGreaterThan(0);
      expect(stored.map(barText)).toEqual(expected.map(barText));
    }
  });

  it('rolls stored 1m bars up to 5m, 1h and 1d bars equal to those computed from the trades', async () => {
    const minuteBars = referenceBars(btcTrades, 60, from, to);
    const writer = new BatchWriter(schema.pool, 'bars');
    for (const bar of minuteBars) await writer.write(barRow(bar));
    await writer.close();
    for (const seconds of [300, 3_600]) {
      const rolled = await rollUpBars(schema.pool, { instrument: BTC.id, sourceIntervalSeconds: 60, intervalSeconds: seconds, from, to });
      expect(rolled.map(barText)).toEqual(referenceBars(btcTrades, seconds, from, to).map(barText));
    }
    const daily = await rollUpBars(schema.pool, { instrument: BTC.id, sourceIntervalSeconds: 60, intervalSeconds: 86_400, from: dayFrom, to: dayTo });
    expect(daily).toHaveLength(2);
    expect(daily.map(barText)).toEqual(referenceBars(btcTrades, 86_400, dayFrom, dayTo).map(barText));
  });
});
