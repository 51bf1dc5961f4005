import type { FakeTwsContract } from './fake-tws-types';

/** The touch and last trade of one contract. */
export interface SimQuote {
  bid: number;
  ask: number;
  last: number;
  bidSize: number;
  askSize: number;
  lastSize: number;
  /** Shares or contracts traded since the simulation started. */
  volume: number;
  /** Previous close, reported as the CLOSE tick. */
  close: number;
  /** Lowest and highest mid since the last real-time bar. */
  windowLow: number;
  windowHigh: number;
  windowOpen: number;
  windowVolume: number;
  windowCount: number;
}

/** A small deterministic PRNG (mulberry32) so two runs of a test see the same prices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rounds to the contract's tick grid, avoiding binary fractions like 187.45000000000002 on the wire. */
export function roundToTick(price: number, minTick: number): number {
  const ticks = Math.round(price / minTick);
  const decimals = Math.max(0, Math.ceil(-Math.log10(minTick)) + 1);
  return Number((ticks * minTick).toFixed(decimals));
}

/**
 * Moving quotes: each step moves a contract's mid by -1, 0 or +1 tick with a spread of one or two ticks.
 * A quote set by a test is pinned: the walk leaves it alone until the simulator is told otherwise.
 */
export class MarketSimulator {
  private readonly quotes = new Map<number, SimQuote>();
  private readonly pinned = new Set<number>();
  private readonly random = new Map<number, () => number>();

  constructor(private readonly contracts: (conId: number) => FakeTwsContract | undefined) {}

  /** The current quote, created at the contract's start price on first use. */
  quote(conId: number): SimQuote {
    const existing = this.quotes.get(conId);
    if (existing) return existing;
    const c = this.contract(conId);
    const tick = c.minTick;
    const mid = roundToTick(c.startPrice, tick);
    const q: SimQuote = {
      bid: roundToTick(mid - tick, tick),
      ask: roundToTick(mid + tick, tick),
      last: mid,
      bidSize: 300,
      askSize: 200,
      lastSize: 100,
      volume: 10_000,
      close: mid,
      windowLow: mid,
      windowHigh: mid,
      windowOpen: mid,
      windowVolume: 0,
      windowCount: 0,
    };
    this.quotes.set(conId, q);
    return q;
  }

  /** Moves one contract one step unless its quote is pinned; returns the new quote. */
  step(conId: number): SimQuote {
    const q = this.quote(conId);
    if (this.pinned.has(conId)) return q;
    const c = this.contract(conId);
    const rnd = this.randomFor(conId);
    const tick = c.minTick;
    const mid = (q.bid + q.ask) / 2 + (Math.floor(rnd() * 3) - 1) * tick;
    const spreadTicks = rnd() < 0.7 ? 1 : 2;
    q.bid = roundToTick(Math.max(tick, mid - (spreadTicks * tick) / 2), tick);
    q.ask = roundToTick(q.bid + spreadTicks * tick, tick);
    q.bidSize = 100 * (1 + Math.floor(rnd() * 9));
    q.askSize = 100 * (1 + Math.floor(rnd() * 9));
    q.last = rnd() < 0.5 ? q.bid : q.ask;
    q.lastSize = 100 * (1 + Math.floor(rnd() * 5));
    this.recordTrade(q);
    return q;
  }

  /** Sets and pins a quote, as a test asks. */
  setQuote(conId: number, bid: number, ask: number, last?: number): SimQuote {
    if (!(bid > 0) || !(ask > 0) || ask < bid) throw new RangeError(`expected 0 < bid <= ask, got bid ${bid} and ask ${ask}`);
    const q = this.quote(conId);
    q.bid = bid;
    q.ask = ask;
    // Without a last trade price the touch's mid stands in, so marks follow the pinned quote.
    q.last = last ?? roundToTick((bid + ask) / 2, this.contract(conId).minTick / 2);
    this.pinned.add(conId);
    this.recordTrade(q);
    return q;
  }

  /** Starts a new real-time bar window and returns the one that just ended. */
  takeWindow(conId: number): { open: number; high: number; low: number; close: number; volume: number; count: number } {
    const q = this.quote(conId);
    const bar = { open: q.windowOpen, high: q.windowHigh, low: q.windowLow, close: q.last, volume: q.windowVolume, count: q.windowCount };
    q.windowOpen = q.last;
    q.windowHigh = q.last;
    q.windowLow = q.last;
    q.windowVolume = 0;
    q.windowCount = 0;
    return bar;
  }

  private recordTrade(q: SimQuote): void {
    q.volume += q.lastSize;
    q.windowVolume += q.lastSize;
    q.windowCount += 1;
    q.windowHigh = Math.max(q.windowHigh, q.last);
    q.windowLow = Math.min(q.windowLow, q.last);
  }

  private randomFor(conId: number): () => number {
    let r = this.random.get(conId);
    if (!r) {
      r = seededRandom(conId);
      this.random.set(conId, r);
    }
    return r;
  }

  private contract(conId: number): FakeTwsContract {
    const c = this.contracts(conId);
    if (!c) throw new RangeError(`expected a known conId, got ${conId}`);
    return c;
  }
}
