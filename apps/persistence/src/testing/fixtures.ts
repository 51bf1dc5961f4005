import { EnvelopeReader, EnvelopeStamper, type BusMessage, type MessageSource, type MessageTimes, type Topic } from '@ttquant/bus';
import {
  Decimal,
  type AccountState,
  type Alert,
  type Fill,
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
import { encodePayload, type DomainMessage, type wire } from '@ttquant/protocol';

/*
 * Domain objects and bus messages for the persistence specs, built through
 * the real envelope encoder and reader so that a message looks exactly like
 * one off the bus.
 */

export const d = (text: string): Decimal => Decimal.parse(text);

/** 2024-03-01T00:00:00Z in nanoseconds. */
export const DAY0: UnixNanos = 1_709_251_200_000_000_000n;
export const ACCOUNT = 'SIM001';
export const ACME: InstrumentId = { venue: 'SIM', symbol: 'ACME' };

export function acmeInstrument(extra: Partial<Instrument> = {}): Instrument {
  return {
    id: ACME,
    venueInstrumentId: '',
    assetClass: 'EQUITY',
    exchange: 'SIM',
    currency: 'USD',
    baseCurrency: '',
    multiplier: d('1'),
    tickSize: d('0.01'),
    lotSize: d('1'),
    minQuantity: d('1'),
    description: 'Acme Corp (simulated)',
    ...extra,
  };
}

export function quote(i: number): QuoteTick {
  const eventTime = DAY0 + BigInt(i) * 1_000_003n;
  return {
    kind: 'quote',
    instrument: ACME,
    quality: 'SIMULATED',
    eventTime,
    initTime: eventTime + 100n,
    bidPrice: d(`${100 + (i % 50)}.10`),
    bidSize: d('300'),
    askPrice: d(`${100 + (i % 50)}.12`),
    askSize: d('200'),
  };
}

export function trade(i: number): TradeTick {
  const eventTime = DAY0 + BigInt(i) * 1_000_003n + 7n;
  return {
    kind: 'trade',
    instrument: ACME,
    quality: 'SIMULATED',
    eventTime,
    initTime: eventTime + 100n,
    price: d(`${100 + (i % 50)}.11`),
    size: d('5'),
    aggressor: 'BUYER',
    tradeId: `t${i}`,
  };
}

export function orderSpec(clientOrderId: string): OrderSpec {
  return {
    clientOrderId,
    account: ACCOUNT,
    instrument: ACME,
    side: 'BUY',
    type: 'LIMIT',
    quantity: d('10'),
    limitPrice: d('100.12'),
    timeInForce: 'DAY',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 'ema1',
    tags: {},
  };
}

export function orderEvent(clientOrderId: string, eventSequence: number, status: OrderStatus, filled = '0'): OrderEvent {
  return {
    order: {
      spec: orderSpec(clientOrderId),
      status,
      filledQuantity: d(filled),
      ...(filled !== '0' && { avgFillPrice: d('100.12') }),
      createdTime: DAY0,
      updatedTime: DAY0 + BigInt(eventSequence) * 1_000n,
    },
    reason: '',
    eventSequence,
  };
}

export function fill(execId: string, clientOrderId: string, quantity = '10'): Fill {
  return {
    account: ACCOUNT,
    clientOrderId,
    venueOrderId: `v-${clientOrderId}`,
    execId,
    instrument: ACME,
    side: 'BUY',
    quantity: d(quantity),
    price: d('100.12'),
    commission: d('0.50'),
    commissionCurrency: 'USD',
    liquidity: 'TAKER',
    strategyId: 'ema1',
    eventTime: DAY0 + 5_000n,
  };
}

export const position: PositionSnapshot = {
  account: ACCOUNT,
  instrument: ACME,
  quantity: d('10'),
  avgPrice: d('100.12'),
  realizedPnl: d('-0.50'),
  unrealizedPnl: d('0'),
  currency: 'USD',
};

export const accountState: AccountState = {
  account: ACCOUNT,
  venue: 'SIM',
  balances: [
    { currency: 'USD', cash: d('98998.30'), equity: d('100000'), marginUsed: d('0'), buyingPower: d('98998.30') },
    { currency: 'EUR', cash: d('10'), equity: d('10'), marginUsed: d('0'), buyingPower: d('10') },
  ],
};

export const venueStatus: VenueStatus = { venue: 'SIM', channel: 'data', account: '', state: 'CONNECTED', detail: 'simulated' };

export const alert: Alert = { severity: 'INFO', source: 'test', code: 'test.alert', message: 'hello', context: { k: 'v' } };

/**
 * Turns domain messages into bus messages as a subscriber receives them:
 * stamped (source, epoch, per-topic sequence), encoded, then decoded and
 * validated by the bus's own reader.
 */
export class BusMessages {
  private readonly stamper: EnvelopeStamper;
  private readonly reader = new EnvelopeReader({}, false);

  constructor(source: MessageSource = { service: 'test', instance: 'test-1' }, epoch = 1_709_000_000_000_000_001n) {
    this.stamper = new EnvelopeStamper({ source, epoch });
  }

  /**
   * The next message of `topic` carrying `message`. Market data travels with
   * its own event and init times (as publishers send it); `eventTimeNs` sets
   * the envelope's event time of anything else.
   */
  of(topic: Topic, message: DomainMessage, eventTimeNs?: bigint): BusMessage {
    const value = message.value as { eventTime?: unknown; initTime?: unknown };
    const times: MessageTimes | undefined =
      typeof value.eventTime === 'bigint' && typeof value.initTime === 'bigint'
        ? { eventTimeNs: value.eventTime, initTimeNs: value.initTime }
        : eventTimeNs === undefined
          ? undefined
          : { eventTimeNs };
    return this.raw(topic, encodePayload(message), times);
  }

  /** The next message of `topic` carrying any payload (e.g. one the codecs refuse). */
  raw(topic: Topic, payload: wire.IPayload, times?: MessageTimes): BusMessage {
    const stream = this.stamper.stream(topic);
    stream.sequence++;
    const bytes = this.stamper.encodeMessage(stream.sequence, payload, times);
    const out: BusMessage[] = [];
    this.reader.read([stream.topicFrame, Buffer.from(bytes)], out);
    const [message] = out;
    if (message === undefined) throw new Error(`the bus reader refused a test message on ${topic}`);
    return message;
  }
}
