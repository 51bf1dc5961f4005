import { Decimal, roundPrice, type Instrument, type QuoteTick, type TradeTick, type UnixNanos } from '@ttquant/domain';

/**
 * A small, fast, seedable pseudo-random generator (xorshift32). Not for
 * cryptography: it exists so a seed reproduces a simulated market exactly.
 */
export class SeededRandom {
  private state: number;
  private spareNormal: number | undefined;

  /** Any 32-bit seed; equal seeds give equal sequences. */
  constructor(seed: number) {
    // Mix the seed so nearby seeds start far apart, and never let the state be 0 (xorshift's fixed point).
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0 || 0x6d2b79f5;
    for (let i = 0; i < 4; i++) this.nextUint32();
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A standard normal deviate (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const u = 1 - this.next(); // in (0, 1]: log(0) would be infinite
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}

/** Shape of a random walk; sizes and spreads in whole lots and ticks so every value is on the grid. */
export interface RandomWalkParams {
  /** Starting price, rounded to the tick. */
  readonly initialPrice: Decimal;
  /** Standard deviation of one step of the bid, in ticks. */
  readonly volatilityTicks: number;
  readonly minSpreadTicks: number;
  readonly maxSpreadTicks: number;
  readonly minSizeLots: number;
  readonly maxSizeLots: number;
  /** Chance that a step also prints a trade at the bid or the ask. */
  readonly tradeProbability: number;
}

/** One step of a walk: the new quote and, sometimes, a trade. */
export interface RandomWalkStep {
  readonly quote: QuoteTick;
  readonly trade?: TradeTick;
}

/** Derives an instrument's own seed from the run seed, so adding an instrument leaves the others' walks unchanged. */
export function instrumentSeed(seed: number, symbol: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < symbol.length; i++) {
    hash ^= symbol.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A seeded random walk of one instrument's best bid and offer. The bid moves
 * by a normally distributed number of whole ticks, the spread and sizes are
 * drawn in whole ticks and lots, so every price and size is exact and on the
 * instrument's grid. The same instrument, parameters and seed always give the
 * same sequence, whatever the times passed in.
 *
 * @example
 * const walk = new RandomWalk(instrument, params, instrumentSeed(42, 'ACME'));
 * const { quote, trade } = walk.next(clock.nowNanos());
 */
export class RandomWalk {
  private readonly random: SeededRandom;
  private bidTicks: number;
  private tradeCount = 0;

  constructor(
    private readonly instrument: Instrument,
    private readonly params: RandomWalkParams,
    seed: number,
  ) {
    this.random = new SeededRandom(seed);
    const start = roundPrice(instrument, params.initialPrice);
    this.bidTicks = Math.max(1, start.div(instrument.tickSize, 0).toNumber());
  }

  /** Advances one step and returns the new quote (and maybe a trade), stamped with `time`. */
  next(time: UnixNanos): RandomWalkStep {
    const p = this.params;
    const step = Math.round(this.random.normal() * p.volatilityTicks);
    // A floor of one tick keeps prices positive however long the walk drifts down.
    this.bidTicks = Math.max(1, this.bidTicks + step);
    const spread = this.random.int(p.minSpreadTicks, p.maxSpreadTicks);
    const tick = this.instrument.tickSize;
    const lot = this.instrument.lotSize;
    const bidPrice = tick.mul(Decimal.of(this.bidTicks));
    const askPrice = tick.mul(Decimal.of(this.bidTicks + spread));
    const quote: QuoteTick = {
      kind: 'quote',
      instrument: this.instrument.id,
      quality: 'SIMULATED',
      eventTime: time,
      initTime: time,
      bidPrice,
      bidSize: lot.mul(Decimal.of(this.random.int(p.minSizeLots, p.maxSizeLots))),
      askPrice,
      askSize: lot.mul(Decimal.of(this.random.int(p.minSizeLots, p.maxSizeLots))),
    };
    if (this.random.next() >= p.tradeProbability) return { quote };

    const buyer = this.random.next() < 0.5;
    this.tradeCount += 1;
    const trade: TradeTick = {
      kind: 'trade',
      instrument: this.instrument.id,
      quality: 'SIMULATED',
      eventTime: time,
      initTime: time,
      price: buyer ? askPrice : bidPrice,
      size: lot.mul(Decimal.of(this.random.int(p.minSizeLots, p.maxSizeLots))),
      aggressor: buyer ? 'BUYER' : 'SELLER',
      tradeId: `${this.instrument.id.symbol}T${this.tradeCount}`,
    };
    return { quote, trade };
  }
}
