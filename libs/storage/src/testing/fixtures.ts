import {
  Decimal,
  type AccountState,
  type Alert,
  type Bar,
  type BookSnapshot,
  type Fill,
  type FundingRate,
  type Instrument,
  type InstrumentId,
  type OrderEvent,
  type OrderSpec,
  type OrderStatus,
  type PositionSnapshot,
  type QuoteTick,
  type TradeTick,
  type UnixNanos,
  type VenueStatus,
} from '@ttquant/domain';
import type { StreamMeta } from '../writers/row-mappers';

/*
 * Domain objects for specs. Times sit on 2024-03-01 (UTC) with sub-microsecond
 * digits, so exact nanoseconds and microsecond rounding are both exercised.
 */

export const d = (text: string): Decimal => Decimal.parse(text);

/** 2024-03-01T00:00:00Z in nanoseconds. */
export const DAY0: UnixNanos = 1_709_251_200_000_000_000n;
export const SECOND: UnixNanos = 1_000_000_000n;

export const BTC: InstrumentId = { venue: 'BINANCE', symbol: 'BTCUSDT' };
export const AAPL: InstrumentId = { venue: 'IB', symbol: 'AAPL' };

/** AAPL's contract details as IB reports them, for the instrument cache specs. */
export const aaplInstrument: Instrument = {
  id: AAPL,
  venueInstrumentId: '265598',
  assetClass: 'EQUITY',
  exchange: 'SMART',
  currency: 'USD',
  baseCurrency: '',
  multiplier: d('1'),
  tickSize: d('0.01'),
  lotSize: d('1'),
  minQuantity: d('1'),
  description: 'APPLE INC',
};

export function meta(sequence: number, topic = 'md.tick.BINANCE.BTCUSDT'): StreamMeta {
  return { sourceInstance: 'md-1', epoch: 1_709_000_000_000_000_001n, topic, sequence };
}

export function quote(i: number, instrument: InstrumentId = BTC): QuoteTick {
  const eventTime = DAY0 + BigInt(i) * 1_000_123n + 7n;
  return {
    kind: 'quote',
    instrument,
    quality: 'REALTIME',
    eventTime,
    initTime: eventTime + 5_001n,
    bidPrice: d(`${60000 + i}.10`),
    bidSize: d('0.12345678'),
    askPrice: d(`${60000 + i}.20`),
    askSize: d('3'),
  };
}

export function trade(time: UnixNanos, price: string, size: string, instrument: InstrumentId = BTC): TradeTick {
  return {
    kind: 'trade',
    instrument,
    quality: 'REALTIME',
    eventTime: time,
    initTime: time + 1_000n,
    price: d(price),
    size: d(size),
    aggressor: 'BUYER',
    tradeId: `t${time}`,
  };
}

export function book(i: number): BookSnapshot {
  return {
    kind: 'book-snapshot',
    instrument: BTC,
    quality: 'DELAYED',
    eventTime: DAY0 + BigInt(i) * SECOND + 11n,
    initTime: DAY0 + BigInt(i) * SECOND + 99n,
    bids: [
      { price: d('60000.10'), size: d('1.5') },
      { price: d('60000.00'), size: d('0.001') },
    ],
    asks: [{ price: d('60000.20'), size: d('2') }],
  };
}

export function bar(start: UnixNanos, intervalSeconds: number, ohlcv: [string, string, string, string, string], trades = 3): Bar {
  const [open, high, low, close, volume] = ohlcv;
  return {
    kind: 'bar',
    instrument: AAPL,
    quality: 'REALTIME',
    eventTime: start + BigInt(intervalSeconds) * SECOND,
    initTime: start + BigInt(intervalSeconds) * SECOND + 17n,
    intervalSeconds,
    startTime: start,
    open: d(open),
    high: d(high),
    low: d(low),
    close: d(close),
    volume: d(volume),
    tradeCount: trades,
  };
}

export function funding(i: number): FundingRate {
  return {
    kind: 'funding-rate',
    instrument: { venue: 'BINANCEUSDM', symbol: 'BTCUSDT-PERP' },
    quality: 'REALTIME',
    eventTime: DAY0 + BigInt(i) * SECOND,
    initTime: DAY0 + BigInt(i) * SECOND + 3n,
    rate: d('0.00010000'),
    nextFundingTime: DAY0 + 8n * 3600n * SECOND,
  };
}

export function orderSpec(clientOrderId: string, extra: Partial<OrderSpec> = {}): OrderSpec {
  return {
    clientOrderId,
    account: 'DU123',
    instrument: AAPL,
    side: 'BUY',
    type: 'LIMIT',
    quantity: d('100'),
    limitPrice: d('187.25'),
    timeInForce: 'DAY',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 'mean-revert',
    tags: { desk: 'eq' },
    ...extra,
  };
}

export function orderEvent(
  spec: OrderSpec,
  sequence: number,
  status: OrderStatus,
  filled = '0',
  extra: { avgFillPrice?: string; venueOrderId?: string; reason?: string } = {},
): OrderEvent {
  return {
    order: {
      spec,
      status,
      filledQuantity: d(filled),
      ...(extra.avgFillPrice !== undefined && { avgFillPrice: d(extra.avgFillPrice) }),
      ...(extra.venueOrderId !== undefined && { venueOrderId: extra.venueOrderId }),
      createdTime: DAY0 + 1_234n,
      updatedTime: DAY0 + BigInt(sequence) * SECOND + 321n,
    },
    reason: extra.reason ?? '',
    eventSequence: sequence,
  };
}

export function fill(execId: string, time: UnixNanos, quantity = '40', strategyId = 'mean-revert'): Fill {
  return {
    account: 'DU123',
    clientOrderId: 'mr1r1c1',
    venueOrderId: '9001',
    execId,
    instrument: AAPL,
    side: 'BUY',
    quantity: d(quantity),
    price: d('187.2500'),
    commission: d('0.35'),
    commissionCurrency: 'USD',
    liquidity: 'MAKER',
    strategyId,
    eventTime: time,
  };
}

export function position(quantity: string): PositionSnapshot {
  return {
    account: 'DU123',
    instrument: AAPL,
    quantity: d(quantity),
    avgPrice: d('187.2500000000'),
    realizedPnl: d('-0.35'),
    unrealizedPnl: d('12.50'),
    currency: 'USD',
  };
}

export function accountState(cash: string): AccountState {
  return {
    account: 'DU123',
    venue: 'IB',
    balances: [
      { currency: 'EUR', cash: d('100.00'), equity: d('100.00'), marginUsed: d('0'), buyingPower: d('100.00') },
      { currency: 'USD', cash: d(cash), equity: d('10512.50'), marginUsed: d('1872.50'), buyingPower: d('17280.00') },
    ],
  };
}

export const venueStatus: VenueStatus = {
  venue: 'IB',
  channel: 'execution',
  account: 'DU123',
  state: 'RECONNECTING',
  detail: 'socket closed by peer',
};

export const alert: Alert = {
  severity: 'WARNING',
  source: 'gateway',
  code: 'risk.denied',
  message: 'order denied: max notional',
  context: { clientOrderId: 'mr1r1c9', limit: '100000' },
};
