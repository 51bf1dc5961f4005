import type {
  AccountState,
  Alert,
  Bar,
  BookDelta,
  BookSnapshot,
  CancelAllOrdersCommand,
  CancelOrderCommand,
  Fill,
  FundingRate,
  Heartbeat,
  Instrument,
  ModifyOrderCommand,
  OrderEvent,
  OrderSpec,
  PositionSnapshot,
  QuoteTick,
  RiskDenial,
  TradeTick,
  UnixNanos,
  VenueStatus,
} from '@ttquant/domain';
import { ProtocolError } from '../errors';
import type { Int64Like, wire } from '../wire';
import { decodeAccountState, decodePosition, encodeAccountState, encodePosition } from './account-codec';
import { decodeInstrument, encodeInstrument } from './instrument-codec';
import {
  decodeBar,
  decodeBookDelta,
  decodeBookSnapshot,
  decodeFundingRate,
  decodeQuote,
  decodeTrade,
  encodeBar,
  encodeBookDelta,
  encodeBookSnapshot,
  encodeFundingRate,
  encodeQuote,
  encodeTrade,
} from './market-data-codec';
import {
  decodeCancelAllOrders,
  decodeCancelOrder,
  decodeFill,
  decodeModifyOrder,
  decodeOrderEvent,
  decodeSubmitOrder,
  encodeCancelAllOrders,
  encodeCancelOrder,
  encodeFill,
  encodeModifyOrder,
  encodeOrderEvent,
  encodeSubmitOrder,
} from './order-codec';
import { readTime } from './scalars';
import {
  decodeAlert,
  decodeHeartbeat,
  decodeRiskDenial,
  decodeVenueStatus,
  encodeAlert,
  encodeHeartbeat,
  encodeRiskDenial,
  encodeVenueStatus,
} from './system-codec';

/**
 * One business message as a domain object, tagged with the name of the
 * `Payload` oneof field that carries it on the wire.
 *
 * @example
 * const msg = decodePayload(item.payload, item);
 * if (msg.kind === 'quote') strategy.onQuote(msg.value);
 */
export type DomainMessage =
  | { readonly kind: 'quote'; readonly value: QuoteTick }
  | { readonly kind: 'trade'; readonly value: TradeTick }
  | { readonly kind: 'bookSnapshot'; readonly value: BookSnapshot }
  | { readonly kind: 'bookDelta'; readonly value: BookDelta }
  | { readonly kind: 'bar'; readonly value: Bar }
  | { readonly kind: 'fundingRate'; readonly value: FundingRate }
  | { readonly kind: 'instrument'; readonly value: Instrument }
  | { readonly kind: 'submitOrder'; readonly value: OrderSpec }
  | { readonly kind: 'cancelOrder'; readonly value: CancelOrderCommand }
  | { readonly kind: 'modifyOrder'; readonly value: ModifyOrderCommand }
  | { readonly kind: 'cancelAllOrders'; readonly value: CancelAllOrdersCommand }
  | { readonly kind: 'orderEvent'; readonly value: OrderEvent }
  | { readonly kind: 'fill'; readonly value: Fill }
  | { readonly kind: 'position'; readonly value: PositionSnapshot }
  | { readonly kind: 'accountState'; readonly value: AccountState }
  | { readonly kind: 'venueStatus'; readonly value: VenueStatus }
  | { readonly kind: 'heartbeat'; readonly value: Heartbeat }
  | { readonly kind: 'riskDenial'; readonly value: RiskDenial }
  | { readonly kind: 'alert'; readonly value: Alert };

/** The kinds of {@link DomainMessage}: the names of the wire `Payload` oneof. */
export type PayloadKind = DomainMessage['kind'];

/** The domain type a kind decodes to, e.g. `DomainValue<'quote'>` is `QuoteTick`. */
export type DomainValue<K extends PayloadKind> = Extract<DomainMessage, { kind: K }>['value'];

/** The times an envelope item carries next to its payload (see `ValidItem`). */
export interface PayloadTimes {
  readonly eventTimeNs: Int64Like;
  readonly initTimeNs: Int64Like;
}

/**
 * Decodes one validated payload into a domain object. Market data takes its
 * event and init times from `times`, a fill its event time; both must be >= 0.
 * Total: anything malformed gives a {@link ProtocolError} whose field is a path
 * below the payload, e.g. `quote.bidPrice` or `orderEvent.order.spec.quantity`.
 */
export function decodePayload(payload: wire.Payload, times: PayloadTimes): DomainMessage {
  const eventTime = readTime(times.eventTimeNs, '', 'eventTimeNs');
  const initTime = readTime(times.initTimeNs, '', 'initTimeNs');
  return decodePayloadAt(payload, eventTime, initTime);
}

/** {@link decodePayload} with times already converted; for decoders of whole envelopes. */
export function decodePayloadAt(payload: wire.Payload, eventTime: UnixNanos, initTime: UnixNanos): DomainMessage {
  const kind = payload.kind;
  switch (kind) {
    case 'quote':
      return { kind, value: decodeQuote(payload.quote as wire.IQuoteTick, eventTime, initTime) };
    case 'trade':
      return { kind, value: decodeTrade(payload.trade as wire.ITradeTick, eventTime, initTime) };
    case 'bookSnapshot':
      return { kind, value: decodeBookSnapshot(payload.bookSnapshot as wire.IBookSnapshot, eventTime, initTime) };
    case 'bookDelta':
      return { kind, value: decodeBookDelta(payload.bookDelta as wire.IBookDelta, eventTime, initTime) };
    case 'bar':
      return { kind, value: decodeBar(payload.bar as wire.IBar, eventTime, initTime) };
    case 'fundingRate':
      return { kind, value: decodeFundingRate(payload.fundingRate as wire.IFundingRate, eventTime, initTime) };
    case 'instrument':
      return { kind, value: decodeInstrument(payload.instrument as wire.IInstrumentDefinition) };
    case 'submitOrder':
      return { kind, value: decodeSubmitOrder(payload.submitOrder as wire.ISubmitOrder) };
    case 'cancelOrder':
      return { kind, value: decodeCancelOrder(payload.cancelOrder as wire.ICancelOrder) };
    case 'modifyOrder':
      return { kind, value: decodeModifyOrder(payload.modifyOrder as wire.IModifyOrder) };
    case 'cancelAllOrders':
      return { kind, value: decodeCancelAllOrders(payload.cancelAllOrders as wire.ICancelAllOrders) };
    case 'orderEvent':
      return { kind, value: decodeOrderEvent(payload.orderEvent as wire.IOrderEvent) };
    case 'fill':
      return { kind, value: decodeFill(payload.fill as wire.IFill, eventTime) };
    case 'position':
      return { kind, value: decodePosition(payload.position as wire.IPosition) };
    case 'accountState':
      return { kind, value: decodeAccountState(payload.accountState as wire.IAccountState) };
    case 'venueStatus':
      return { kind, value: decodeVenueStatus(payload.venueStatus as wire.IVenueStatus) };
    case 'heartbeat':
      return { kind, value: decodeHeartbeat(payload.heartbeat as wire.IHeartbeat) };
    case 'riskDenial':
      return { kind, value: decodeRiskDenial(payload.riskDenial as wire.IRiskDenial) };
    case 'alert':
      return { kind, value: decodeAlert(payload.alert as wire.IAlert) };
    case undefined:
      throw new ProtocolError('kind', 'one payload message', 'none');
    default:
      return unknownKind(kind);
  }
}

/**
 * Encodes a domain message as a wire payload. Times are not part of it: they
 * travel in the envelope (see `encodeMessages`).
 * @throws ProtocolError naming the field when a value cannot be represented
 * (a mantissa beyond int64, a negative time, a number beyond uint32…).
 */
export function encodePayload(msg: DomainMessage): wire.IPayload {
  switch (msg.kind) {
    case 'quote':
      return { quote: encodeQuote(msg.value) };
    case 'trade':
      return { trade: encodeTrade(msg.value) };
    case 'bookSnapshot':
      return { bookSnapshot: encodeBookSnapshot(msg.value) };
    case 'bookDelta':
      return { bookDelta: encodeBookDelta(msg.value) };
    case 'bar':
      return { bar: encodeBar(msg.value) };
    case 'fundingRate':
      return { fundingRate: encodeFundingRate(msg.value) };
    case 'instrument':
      return { instrument: encodeInstrument(msg.value) };
    case 'submitOrder':
      return { submitOrder: encodeSubmitOrder(msg.value) };
    case 'cancelOrder':
      return { cancelOrder: encodeCancelOrder(msg.value) };
    case 'modifyOrder':
      return { modifyOrder: encodeModifyOrder(msg.value) };
    case 'cancelAllOrders':
      return { cancelAllOrders: encodeCancelAllOrders(msg.value) };
    case 'orderEvent':
      return { orderEvent: encodeOrderEvent(msg.value) };
    case 'fill':
      return { fill: encodeFill(msg.value) };
    case 'position':
      return { position: encodePosition(msg.value) };
    case 'accountState':
      return { accountState: encodeAccountState(msg.value) };
    case 'venueStatus':
      return { venueStatus: encodeVenueStatus(msg.value) };
    case 'heartbeat':
      return { heartbeat: encodeHeartbeat(msg.value) };
    case 'riskDenial':
      return { riskDenial: encodeRiskDenial(msg.value) };
    case 'alert':
      return { alert: encodeAlert(msg.value) };
    default:
      return unknownKind(msg);
  }
}

/**
 * The times a message carries itself, if any: market data has both, a fill its
 * event time, everything else none (the envelope is their only clock).
 */
export function ownTimes(msg: DomainMessage): { eventTime?: UnixNanos; initTime?: UnixNanos } {
  switch (msg.kind) {
    case 'quote':
    case 'trade':
    case 'bookSnapshot':
    case 'bookDelta':
    case 'bar':
    case 'fundingRate':
      return { eventTime: msg.value.eventTime, initTime: msg.value.initTime };
    case 'fill':
      return { eventTime: msg.value.eventTime };
    default:
      return {};
  }
}

// The compiler proves every kind is handled; at run time a kind from a newer
// schema, or a hand-built object, still gets a ProtocolError rather than undefined.
function unknownKind(kind: never): never {
  const found = typeof kind === 'object' && kind !== null ? (kind as { kind?: unknown }).kind : kind;
  throw new ProtocolError('kind', 'a known payload kind', String(found));
}
