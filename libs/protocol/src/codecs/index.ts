export { decodeDecimal, encodeDecimal, type SignRule } from './scalars';
export { decodeInstrumentId, encodeInstrumentId, encodeInstrument } from './instrument-codec';
export {
  encodeBar,
  encodeBookDelta,
  encodeBookSnapshot,
  encodeFundingRate,
  encodeQuote,
  encodeTrade,
} from './market-data-codec';
export {
  encodeCancelAllOrders,
  encodeCancelOrder,
  encodeFill,
  encodeModifyOrder,
  encodeOrderEvent,
  encodeSubmitOrder,
} from './order-codec';
export { encodeAccountState, encodePosition } from './account-codec';
export { encodeAlert, encodeHeartbeat, encodeRiskDenial, encodeVenueStatus } from './system-codec';
export {
  decodePayload,
  decodePayloadAt,
  encodePayload,
  type DomainMessage,
  type DomainValue,
  type PayloadKind,
  type PayloadTimes,
} from './payload-codec';
export {
  decodeMessages,
  encodeMessages,
  type DecodedMessage,
  type DecodedMessages,
  type OutgoingMessage,
} from './message-codec';
