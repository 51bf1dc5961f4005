import {
  Decimal,
  roundPrice,
  roundQuantity,
  type Instrument,
  type InstrumentId,
  type OrderSpec,
  type PositionSnapshot,
  type TimeInForce,
} from '@ttquant/domain';
import type { FakeMarket } from './harness';

let runCounter = 0;
// Distinct per process and per call, within the 32 alphanumeric characters every venue accepts.
const RUN_TAG = `cf${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;

/** A fresh client order id for a conformance test. */
export function nextClientOrderId(): string {
  runCounter += 1;
  return `${RUN_TAG}x${runCounter.toString(36)}`;
}

/** True when both ids name the same instrument. */
export function sameInstrument(a: InstrumentId, b: InstrumentId): boolean {
  return a.venue === b.venue && a.symbol === b.symbol;
}

/** Decimal text without trailing zeros, so `2` and `2.00` compare equal in assertions. */
export function text(value: Decimal | undefined): string | undefined {
  return value?.normalize().toString();
}

/** Sum of a list of decimals. */
export function sum(values: readonly Decimal[]): Decimal {
  return values.reduce((total, value) => total.add(value), Decimal.ZERO);
}

/** Prices, sizes and order specs for one instrument, derived from its tick and lot. */
export class OrderKit {
  /** Smallest tradable quantity: the minimum quantity rounded up to whole lots. */
  readonly unit: Decimal;
  private readonly reference: Decimal;
  private readonly timeInForce: TimeInForce;

  constructor(
    readonly instrument: Instrument,
    private readonly account: string,
    timesInForce: readonly TimeInForce[],
    referencePrice?: Decimal,
  ) {
    const floor = Decimal.max(instrument.minQuantity, instrument.lotSize);
    this.unit = roundQuantity(instrument, floor, 'ceil');
    this.reference = referencePrice ?? roundPrice(instrument, Decimal.of(100));
    this.timeInForce = timesInForce.includes('GTC') ? 'GTC' : (timesInForce[0] ?? 'DAY');
  }

  /** The reference price moved by `ticks` ticks. */
  price(ticks: number): Decimal {
    return this.reference.add(this.instrument.tickSize.mul(Decimal.of(ticks)));
  }

  /** `lots` units of {@link unit}. */
  qty(units: number): Decimal {
    return this.unit.mul(Decimal.of(units));
  }

  /** A market one tick either side of the reference, deep on both sides. */
  market(overrides: Partial<FakeMarket> = {}): FakeMarket {
    return { bid: this.price(-1), bidSize: this.qty(100), ask: this.price(1), askSize: this.qty(100), ...overrides };
  }

  /** A GTC (or the venue's first) order of this instrument; override anything. */
  spec(overrides: Partial<OrderSpec> & Pick<OrderSpec, 'side' | 'type' | 'quantity'>): OrderSpec {
    return {
      clientOrderId: nextClientOrderId(),
      account: this.account,
      instrument: this.instrument.id,
      timeInForce: this.timeInForce,
      reduceOnly: false,
      postOnly: false,
      outsideRth: false,
      strategyId: 'conformance',
      tags: {},
      ...overrides,
    };
  }
}

/** The signed quantity held in `instrument`, zero when the venue lists no position. */
export function heldQuantity(positions: readonly PositionSnapshot[], instrument: InstrumentId): Decimal {
  return positions.find((p) => sameInstrument(p.instrument, instrument))?.quantity ?? Decimal.ZERO;
}
