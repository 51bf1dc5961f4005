import { Decimal, type Instrument } from '@ttquant/domain';
import { instrumentSeed, RandomWalk, SeededRandom, type RandomWalkParams } from './random-walk';

const instrument: Instrument = {
  id: { venue: 'SIM', symbol: 'ACME' },
  venueInstrumentId: 'ACME',
  assetClass: 'EQUITY',
  exchange: 'SIM',
  currency: 'USD',
  baseCurrency: '',
  multiplier: Decimal.ONE,
  tickSize: Decimal.parse('0.05'),
  lotSize: Decimal.parse('10'),
  minQuantity: Decimal.parse('10'),
  description: '',
};

const params: RandomWalkParams = {
  initialPrice: Decimal.parse('20.03'),
  volatilityTicks: 3,
  minSpreadTicks: 1,
  maxSpreadTicks: 4,
  minSizeLots: 1,
  maxSizeLots: 20,
  tradeProbability: 0.3,
};

function run(seed: number, steps: number): string[] {
  const walk = new RandomWalk(instrument, params, seed);
  const out: string[] = [];
  for (let i = 0; i < steps; i++) {
    const { quote, trade } = walk.next(BigInt(i));
    out.push(
      `${quote.bidSize.toString()}@${quote.bidPrice.toString()}/${quote.askPrice.toString()}@${quote.askSize.toString()}` +
        (trade ? ` T ${trade.size.toString()}@${trade.price.toString()} ${trade.aggressor}` : ''),
    );
  }
  return out;
}

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const seqA = Array.from({ length: 50 }, () => a.nextUint32());
    expect(Array.from({ length: 50 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 50 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('stays in range and looks uniform enough to drive a market', () => {
    const random = new SeededRandom(0);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = random.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      const n = random.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
    expect(sum / 10_000).toBeGreaterThan(0.47);
    expect(sum / 10_000).toBeLessThan(0.53);
  });

  it('draws normal deviates with mean near 0 and deviation near 1', () => {
    const random = new SeededRandom(99);
    const xs = Array.from({ length: 20_000 }, () => random.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
  });
});

describe('RandomWalk', () => {
  it('is deterministic by seed, whatever the times passed in', () => {
    expect(run(42, 200)).toEqual(run(42, 200));
    expect(run(42, 200)).not.toEqual(run(43, 200));
    const walk = new RandomWalk(instrument, params, 42);
    const shifted = Array.from({ length: 20 }, (_, i) => walk.next(BigInt(1e18) + BigInt(i * 1000)).quote.bidPrice.toString());
    expect(shifted).toEqual(run(42, 20).map((line) => line.split('@')[1].split('/')[0]));
  });

  it('keeps prices on the tick grid, sizes on the lot grid, bid below ask, spread and sizes within bounds', () => {
    const walk = new RandomWalk(instrument, params, 5);
    let trades = 0;
    for (let i = 0; i < 2_000; i++) {
      const { quote, trade } = walk.next(BigInt(i));
      expect(quote.quality).toBe('SIMULATED');
      expect(quote.bidPrice.isPositive()).toBe(true);
      expect(quote.bidPrice.isMultipleOf(instrument.tickSize)).toBe(true);
      expect(quote.askPrice.isMultipleOf(instrument.tickSize)).toBe(true);
      const spreadTicks = quote.askPrice.sub(quote.bidPrice).div(instrument.tickSize, 0).toNumber();
      expect(spreadTicks).toBeGreaterThanOrEqual(1);
      expect(spreadTicks).toBeLessThanOrEqual(4);
      for (const size of [quote.bidSize, quote.askSize]) {
        expect(size.isMultipleOf(instrument.lotSize)).toBe(true);
        expect(size.gte(Decimal.parse('10')) && size.lte(Decimal.parse('200'))).toBe(true);
      }
      if (trade) {
        trades++;
        expect(trade.price.eq(trade.aggressor === 'BUYER' ? quote.askPrice : quote.bidPrice)).toBe(true);
        expect(trade.tradeId).toBe(`ACMET${trades}`);
      }
    }
    // About 30 % of steps print a trade.
    expect(trades).toBeGreaterThan(500);
    expect(trades).toBeLessThan(700);
  });

  it('starts at the initial price rounded to the tick, and never goes below one tick', () => {
    const calm = new RandomWalk(instrument, { ...params, volatilityTicks: 0, minSpreadTicks: 2, maxSpreadTicks: 2 }, 1);
    const first = calm.next(0n).quote;
    expect(first.bidPrice.toString()).toBe('20.05');
    expect(first.askPrice.toString()).toBe('20.15');
    const crash = new RandomWalk(instrument, { ...params, initialPrice: Decimal.parse('0.10'), volatilityTicks: 50 }, 3);
    for (let i = 0; i < 500; i++) expect(crash.next(BigInt(i)).quote.bidPrice.gte(instrument.tickSize)).toBe(true);
  });
});

describe('instrumentSeed', () => {
  it('is stable and differs per symbol and per run seed', () => {
    expect(instrumentSeed(42, 'ACME')).toBe(instrumentSeed(42, 'ACME'));
    expect(instrumentSeed(42, 'ACME')).not.toBe(instrumentSeed(42, 'BTC-USD'));
    expect(instrumentSeed(42, 'ACME')).not.toBe(instrumentSeed(43, 'ACME'));
  });
});
