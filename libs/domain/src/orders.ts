import type { Decimal } from './decimal';
import type { InstrumentId } from './instrument';
import type { UnixNanos } from './time';

export const ORDER_SIDES = ['BUY', 'SELL'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];

export const ORDER_TYPES = ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const TIMES_IN_FORCE = ['DAY', 'GTC', 'IOC', 'FOK', 'GTD'] as const;
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];

/** The order states of ARCHITECTURE.md. */
export const ORDER_STATUSES = [
  'INITIALIZED',
  'DENIED',
  'SUBMITTED',
  'ACCEPTED',
  'REJECTED',
  'PENDING_CANCEL',
  'PENDING_REPLACE',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'EXPIRED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const LIQUIDITY_SIDES = ['MAKER', 'TAKER', 'NONE'] as const;
export type LiquiditySide = (typeof LIQUIDITY_SIDES)[number];

/**
 * What a strategy asks for: the body of a submit command.
 * `clientOrderId` is the idempotency key end to end (see `client-order-id.ts`).
 */
export interface OrderSpec {
  readonly clientOrderId: string;
  readonly account: string;
  readonly instrument: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  /** Required for LIMIT and STOP_LIMIT. */
  readonly limitPrice?: Decimal;
  /** Required for STOP and STOP_LIMIT. */
  readonly stopPrice?: Decimal;
  readonly timeInForce: TimeInForce;
  /** Required for GTD. */
  readonly expireTime?: UnixNanos;
  readonly reduceOnly: boolean;
  readonly postOnly: boolean;
  readonly outsideRth: boolean;
  /** Bracket children name their parent. */
  readonly parentClientOrderId?: string;
  /** One-cancels-other group. */
  readonly ocoGroup?: string;
  readonly strategyId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** An order as it stands after a transition. */
export interface OrderSnapshot {
  readonly spec: OrderSpec;
  readonly status: OrderStatus;
  readonly filledQuantity: Decimal;
  /** Absent until the first fill. */
  readonly avgFillPrice?: Decimal;
  /** The venue's id once it has one. */
  readonly venueOrderId?: string;
  readonly createdTime: UnixNanos;
  readonly updatedTime: UnixNanos;
}

/** Published after every transition of an order. */
export interface OrderEvent {
  readonly order: OrderSnapshot;
  /** Why the order is in this state; empty when there is nothing to say. */
  readonly reason: string;
  /** 1 for the order's first event, +1 per event. */
  readonly eventSequence: number;
}

/** Cancels a working order. */
export interface CancelOrderCommand {
  readonly clientOrderId: string;
  readonly account: string;
}

/** Changes quantity and/or prices of a working order; an absent field keeps its value. */
export interface ModifyOrderCommand {
  readonly clientOrderId: string;
  readonly account: string;
  readonly quantity?: Decimal;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
}

/** Cancels every working order of an account, optionally of one instrument or one strategy. */
export interface CancelAllOrdersCommand {
  readonly account: string;
  readonly instrument?: InstrumentId;
  readonly strategyId?: string;
}

/** An execution reported by the venue. */
export interface Fill {
  readonly account: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  /** Unique per venue: with the venue, the storage key. */
  readonly execId: string;
  readonly instrument: InstrumentId;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly price: Decimal;
  /** Kept in its own currency; converted only for display. */
  readonly commission: Decimal;
  readonly commissionCurrency: string;
  readonly liquidity: LiquiditySide;
  readonly strategyId: string;
  readonly eventTime: UnixNanos;
}
