import { Decimal, type InstrumentId, type OrderSpec, type UnixNanos } from '@ttquant/domain';
import type { PayloadKind } from '../payload-codec';
import type { OutgoingMessage } from '../message-codec';

// Realistic domain messages of every payload kind, with their envelope times.

const d = (text: string): Decimal => Decimal.parse(text);

/** Nanosecond times well past 2^53, where a JS number would already be lossy. */
export const EVENT_TIME: UnixNanos = 1_763_686_800_123_456_789n;
/** A creation time just after {@link EVENT_TIME}. */
export const INIT_TIME: UnixNanos = 1_763_686_800_123_999_001n;

/** The largest mantissa int64 holds. */
export const MAX_MANTISSA = (1n << 63n) - 1n;
/** The smallest mantissa int64 holds. */
export const MIN_MANTISSA = -(1n << 63n);

const BTC: InstrumentId = { venue: 'BINANCE', symbol: 'BTC-USDT' };
const ES: InstrumentId = { venue: 'IB', symbol: 'ESZ5' };
const AAPL: InstrumentId = { venue: 'IB', symbol: 'AAPL' };

/** A fully populated GTD stop-limit order with a bracket parent, an OCO group and tags. */
export const FULL_SPEC: OrderSpec = {
  clientOrderId: 'momo1e1763686800c42',
  account: 'DU1234567',
  instrument: ES,
  side: 'SELL',
  type: 'STOP_LIMIT',
  quantity: d('3'),
  limitPrice: d('6712.25'),
  stopPrice: d('6712.50'),
  timeInForce: 'GTD',
  expireTime: 1_763_740_800_000_000_000n,
  reduceOnly: true,
  postOnly: false,
  outsideRth: true,
  parentClientOrderId: 'momo1e1763686800c41',
  ocoGroup: 'bracket-41',
  strategyId: 'momentum-es',
  // A key that would be a prototype setter if copied carelessly.
  tags: { origin: 'backtest-promoted', ['__proto__']: 'polluted?', note: 'ünïcødé ✓' },
};

/** The smallest valid order: a day market order with nothing optional. */
export const MARKET_SPEC: OrderSpec = {
  clientOrderId: 'mm2x9',
  account: 'binance-main',
  instrument: BTC,
  side: 'BUY',
  type: 'MARKET',
  quantity: d('0.00012345'),
  timeInForce: 'IOC',
  reduceOnly: false,
  postOnly: false,
  outsideRth: false,
  strategyId: '',
  tags: {},
};

/** One outgoing message per kind (two for kinds with notable variants). */
export function sampleMessages(): OutgoingMessage[] {
  const times = { eventTime: EVENT_TIME, initTime: INIT_TIME };
  const md = { quality: 'REALTIME' as const, ...times };
  return [
    {
      ...times,
      message: {
        kind: 'quote',
        value: {
          kind: 'quote',
          instrument: BTC,
          ...md,
          bidPrice: d('97123.45'),
          bidSize: d('1.23456789'),
          askPrice: d('97123.46'),
          askSize: d('0'),
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'quote',
        value: {
          kind: 'quote',
          instrument: { venue: 'SIM', symbol: 'EXTREME' },
          ...md,
          quality: 'SIMULATED',
          bidPrice: Decimal.of(MAX_MANTISSA, -8),
          bidSize: Decimal.of(1n, 64),
          askPrice: Decimal.of(MAX_MANTISSA, 64),
          askSize: Decimal.of(123456789n, -64),
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'trade',
        value: {
          kind: 'trade',
          instrument: AAPL,
          ...md,
          quality: 'DELAYED',
          price: d('227.4801'),
          size: d('100'),
          aggressor: 'SELLER',
          tradeId: '',
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'bookSnapshot',
        value: {
          kind: 'book-snapshot',
          instrument: BTC,
          ...md,
          bids: [
            { price: d('97123.45'), size: d('0.5') },
            { price: d('97123.40'), size: d('2.125') },
          ],
          asks: [{ price: d('97123.46'), size: d('0.00000001') }],
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'bookDelta',
        value: {
          kind: 'book-delta',
          instrument: BTC,
          ...md,
          changes: [
            { side: 'BID', price: d('97123.45'), size: d('0') },
            { side: 'ASK', price: d('97124.00'), size: d('3.5') },
          ],
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'bar',
        value: {
          kind: 'bar',
          instrument: ES,
          ...md,
          quality: 'DELAYED_FROZEN',
          intervalSeconds: 60,
          startTime: 1_763_686_740_000_000_000n,
          open: d('6712.25'),
          high: d('6715.00'),
          low: d('6711.75'),
          close: d('6714.50'),
          volume: d('1834'),
          tradeCount: 412,
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'fundingRate',
        value: {
          kind: 'funding-rate',
          instrument: { venue: 'BYBIT', symbol: 'ETH-USDT-PERP' },
          ...md,
          rate: d('-0.00012500'),
          nextFundingTime: 1_763_712_000_000_000_000n,
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'instrument',
        value: {
          id: ES,
          venueInstrumentId: '495512563',
          assetClass: 'FUTURE',
          exchange: 'CME',
          currency: 'USD',
          baseCurrency: '',
          multiplier: d('50'),
          tickSize: d('0.25'),
          lotSize: d('1'),
          minQuantity: d('1'),
          description: 'E-mini S&P 500 Dec 2025',
        },
      },
    },
    { ...times, message: { kind: 'submitOrder', value: FULL_SPEC } },
    { ...times, message: { kind: 'submitOrder', value: MARKET_SPEC } },
    {
      ...times,
      message: { kind: 'cancelOrder', value: { clientOrderId: FULL_SPEC.clientOrderId, account: FULL_SPEC.account } },
    },
    {
      ...times,
      message: {
        kind: 'modifyOrder',
        value: { clientOrderId: 'ABCdef0123456789ABCdef0123456789', account: 'DU1234567', limitPrice: d('-1.25') },
      },
    },
    { ...times, message: { kind: 'cancelAllOrders', value: { account: 'DU1234567' } } },
    {
      ...times,
      message: { kind: 'cancelAllOrders', value: { account: 'DU1234567', instrument: ES, strategyId: 'momentum-es' } },
    },
    {
      ...times,
      message: {
        kind: 'orderEvent',
        value: {
          order: {
            spec: FULL_SPEC,
            status: 'PARTIALLY_FILLED',
            filledQuantity: d('2'),
            avgFillPrice: d('6712.375'),
            venueOrderId: '1187',
            createdTime: 1_763_686_799_000_000_001n,
            updatedTime: EVENT_TIME,
          },
          reason: '',
          eventSequence: 4,
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'orderEvent',
        value: {
          order: {
            spec: MARKET_SPEC,
            status: 'DENIED',
            filledQuantity: d('0'),
            createdTime: EVENT_TIME,
            updatedTime: EVENT_TIME,
          },
          reason: 'max-notional: 12000.00 > 10000.00',
          eventSequence: 1,
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'fill',
        value: {
          account: 'DU1234567',
          clientOrderId: FULL_SPEC.clientOrderId,
          venueOrderId: '1187',
          execId: '0000e0d5.6734a1b2.01.01',
          instrument: ES,
          side: 'SELL',
          quantity: d('1'),
          price: d('6712.50'),
          commission: d('-0.000012345678901234'),
          commissionCurrency: 'USD',
          liquidity: 'MAKER',
          strategyId: 'momentum-es',
          eventTime: EVENT_TIME,
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'position',
        value: {
          account: 'DU1234567',
          instrument: ES,
          quantity: d('-3'),
          avgPrice: d('6712.4166666667'),
          realizedPnl: Decimal.of(MIN_MANTISSA, -2),
          unrealizedPnl: d('-1234.56'),
          currency: 'USD',
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'accountState',
        value: {
          account: 'DU1234567',
          venue: 'IB',
          balances: [
            {
              currency: 'USD',
              cash: d('-2500.75'),
              equity: d('98765.4321'),
              marginUsed: d('15000'),
              buyingPower: d('-10.5'),
            },
            { currency: 'EUR', cash: d('1000'), equity: d('1000'), marginUsed: d('0'), buyingPower: d('4000') },
          ],
        },
      },
    },
    { ...times, message: { kind: 'accountState', value: { account: 'binance-main', venue: 'BINANCE', balances: [] } } },
    {
      ...times,
      message: {
        kind: 'venueStatus',
        value: {
          venue: 'IB',
          channel: 'execution',
          account: 'DU1234567',
          state: 'DEGRADED',
          detail: 'farm usfarm is broken',
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'venueStatus',
        value: { venue: 'BINANCE', channel: 'data', account: '', state: 'CONNECTED', detail: '' },
      },
    },
    {
      ...times,
      message: {
        kind: 'heartbeat',
        value: {
          service: 'gateway',
          instance: 'gw-ib-1',
          state: 'READY',
          uptimeMs: Number.MAX_SAFE_INTEGER,
          info: { version: '0.1.0', account: 'DU1234567' },
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'riskDenial',
        value: {
          account: 'DU1234567',
          clientOrderId: 'mm2x9',
          instrument: AAPL,
          check: 'max-notional',
          reason: 'notional 12000.00 exceeds 10000.00',
        },
      },
    },
    {
      ...times,
      message: {
        kind: 'alert',
        value: {
          severity: 'CRITICAL',
          source: 'risk',
          code: 'daily-loss',
          message: 'daily loss limit reached: trading halted',
          context: { loss: '-5000.00' },
        },
      },
    },
  ];
}

/** The first sample of each kind. */
export function sampleOf(kind: PayloadKind): OutgoingMessage {
  const found = sampleMessages().find((m) => m.message.kind === kind);
  if (!found) throw new Error(`no sample of kind ${kind}`);
  return found;
}
