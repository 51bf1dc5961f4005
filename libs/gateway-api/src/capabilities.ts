import type { OrderSpec, OrderType, TimeInForce } from '@ttquant/domain';
import { NotSupportedError } from './errors';

/**
 * What a data client can deliver. Anything marked false makes the matching
 * subscription throw {@link NotSupportedError} instead of silently delivering nothing.
 */
export interface DataCapabilities {
  /** Best bid/offer updates. */
  readonly quotes: boolean;
  /** Trade prints. */
  readonly trades: boolean;
  /** Level-2 order books (snapshots and deltas). */
  readonly bookL2: boolean;
  /** Live bars. */
  readonly bars: boolean;
  /** Bar intervals (seconds) the venue serves, live and historical; empty when `bars` and `history` are false. */
  readonly barIntervals: readonly number[];
  /** Historical bars through `requestBars`. */
  readonly history: boolean;
  /** Perpetual funding rates. */
  readonly fundingRates: boolean;
}

/** What an execution client can do. Orders using anything missing are refused before they are sent. */
export interface ExecutionCapabilities {
  /** Order types the venue accepts. */
  readonly orderTypes: readonly OrderType[];
  /** Times in force the venue accepts. */
  readonly timeInForce: readonly TimeInForce[];
  /** Amending price or quantity of a working order in place. */
  readonly modify: boolean;
  /** Cancelling every order (of an instrument) in one request. */
  readonly cancelAll: boolean;
  /** Parent/child orders (`parentClientOrderId`). */
  readonly brackets: boolean;
  /** One-cancels-other groups (`ocoGroup`). */
  readonly oco: boolean;
  /** Orders that may only reduce a position. */
  readonly reduceOnly: boolean;
  /** Limit orders that must add liquidity. */
  readonly postOnly: boolean;
  /** Orders working outside regular trading hours. */
  readonly outsideRth: boolean;
  /** Querying past executions (`executionsSince`); without it reconciliation relies on order status alone. */
  readonly executionHistory: boolean;
}

/** The boolean flags of a capability map: the names {@link requireCapability} accepts. */
export type CapabilityFlag<C> = { [K in keyof C]: C[K] extends boolean ? K : never }[keyof C] & string;

/**
 * Throws {@link NotSupportedError} unless the capability is present.
 *
 * @example
 * requireCapability(this.capabilities, 'modify', 'binance');
 */
export function requireCapability<C extends object>(caps: C, name: CapabilityFlag<C>, venue = 'this venue'): void {
  if (caps[name] !== true) throw new NotSupportedError(`expected ${venue} to support ${name}, it does not`);
}

/**
 * Throws {@link NotSupportedError} naming the first feature of `spec` the
 * execution client cannot handle: its order type, time in force, or one of the
 * reduce-only, post-only, outside-RTH, bracket and OCO flags. Adapters call it at
 * the top of `submit`; the gateway's risk may call it to deny early.
 */
export function requireOrderSupported(caps: ExecutionCapabilities, spec: OrderSpec, venue = 'this venue'): void {
  const problem = unsupportedOrderFeature(caps, spec);
  if (problem !== undefined) throw new NotSupportedError(`expected ${venue} to support ${problem}, it does not`);
}

/** The first feature of `spec` the capabilities lack (e.g. `order type STOP_LIMIT`), or `undefined`. */
export function unsupportedOrderFeature(caps: ExecutionCapabilities, spec: OrderSpec): string | undefined {
  if (!caps.orderTypes.includes(spec.type)) return `order type ${spec.type}`;
  if (!caps.timeInForce.includes(spec.timeInForce)) return `time in force ${spec.timeInForce}`;
  if (spec.reduceOnly && !caps.reduceOnly) return 'reduce-only orders';
  if (spec.postOnly && !caps.postOnly) return 'post-only orders';
  if (spec.outsideRth && !caps.outsideRth) return 'orders outside regular trading hours';
  if (spec.parentClientOrderId !== undefined && !caps.brackets) return 'bracket orders';
  if (spec.ocoGroup !== undefined && !caps.oco) return 'OCO groups';
  return undefined;
}
