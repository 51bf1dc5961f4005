import type {
  Bar,
  Decimal,
  Fill,
  Instrument,
  InstrumentId,
  OrderEvent,
  OrderSide,
  OrderSnapshot,
  OrderType,
  QuoteTick,
  TimeInForce,
  TradeTick,
  UnixNanos,
} from '@ttquant/domain';

/**
 * What a strategy asks the engine to feed it. The engine subscribes the bus
 * (live) or the stored history (backtest) accordingly.
 */
export interface StrategySubscriptions {
  readonly quotes?: readonly InstrumentId[];
  readonly trades?: readonly InstrumentId[];
  readonly bars?: readonly { readonly instrument: InstrumentId; readonly intervalSeconds: number }[];
}

/**
 * An order as a strategy asks for it. The context fills in the client order id,
 * the account (unless given) and the strategy id.
 */
export interface OrderRequest {
  readonly instrument: InstrumentId;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  /** Default MARKET. */
  readonly type?: OrderType;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  /** Default DAY. */
  readonly timeInForce?: TimeInForce;
  readonly expireTime?: UnixNanos;
  /** Default: the strategy's configured account. */
  readonly account?: string;
  readonly reduceOnly?: boolean;
  readonly postOnly?: boolean;
  readonly outsideRth?: boolean;
  readonly parentClientOrderId?: string;
  readonly ocoGroup?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** A strategy's own view of one position. */
export interface PositionView {
  readonly instrument: InstrumentId;
  /** Signed: negative is short. */
  readonly quantity: Decimal;
  readonly avgPrice: Decimal;
  /** Net of commissions, in the instrument's quote currency. */
  readonly realizedPnl: Decimal;
}

/** Structured log lines; the engine routes them to its logger with the strategy id. */
export interface StrategyLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Everything a strategy may do. The same context shape is given live, on paper
 * and in a backtest, so strategy code never changes between them.
 */
export interface StrategyContext {
  readonly strategyId: string;
  readonly log: StrategyLog;
  /** The current time: wall clock live, the replayed clock in a backtest. */
  now(): UnixNanos;
  /** The instrument's definition, once the venue has provided it. */
  instrument(id: InstrumentId): Instrument | undefined;
  /**
   * Sends an order. Returns its client order id at once; the outcome arrives
   * later through {@link Strategy.onOrderEvent} and {@link Strategy.onFill}.
   * @throws Error when the request is invalid (e.g. quantity not positive).
   */
  submitOrder(request: OrderRequest): string;
  /** Asks to cancel one of this strategy's working orders. */
  cancelOrder(clientOrderId: string): void;
  /** This strategy's working orders, optionally of one instrument. */
  openOrders(instrument?: InstrumentId): readonly OrderSnapshot[];
  /** This strategy's position in an instrument (flat when it never traded it). */
  position(instrument: InstrumentId): PositionView;
}

/**
 * A trading strategy. Every handler is optional; handlers run one at a time,
 * in the order events arrived, and must not block (no long synchronous work).
 *
 * @example
 * class Buyer implements Strategy {
 *   readonly id = 'buyer';
 *   readonly subscriptions = { quotes: [{ venue: 'SIM', symbol: 'AAPL' }] };
 *   onQuote(q: QuoteTick, ctx: StrategyContext) {
 *     if (ctx.position(q.instrument).quantity.isZero() && ctx.openOrders().length === 0) {
 *       ctx.submitOrder({ instrument: q.instrument, side: 'BUY', quantity: Decimal.parse('10') });
 *     }
 *   }
 * }
 */
export interface Strategy {
  /** Unique among running strategies; becomes part of every client order id. */
  readonly id: string;
  readonly subscriptions: StrategySubscriptions;
  onStart?(ctx: StrategyContext): void | Promise<void>;
  onQuote?(quote: QuoteTick, ctx: StrategyContext): void;
  onTrade?(trade: TradeTick, ctx: StrategyContext): void;
  onBar?(bar: Bar, ctx: StrategyContext): void;
  /** Every transition of this strategy's own orders. */
  onOrderEvent?(event: OrderEvent, ctx: StrategyContext): void;
  /** Every fill of this strategy's own orders, after the position is updated. */
  onFill?(fill: Fill, ctx: StrategyContext): void;
  onStop?(ctx: StrategyContext): void | Promise<void>;
}
