import {
  AGGRESSOR_SIDES,
  ALERT_SEVERITIES,
  ASSET_CLASSES,
  CONNECTION_STATES,
  DATA_QUALITIES,
  LIQUIDITY_SIDES,
  ORDER_SIDES,
  ORDER_STATUSES,
  ORDER_TYPES,
  SERVICE_STATES,
  TIMES_IN_FORCE,
  type BookSide,
} from '@ttquant/domain';
import { ProtocolError } from '../errors';
import { wire } from '../wire';
import { fieldPath } from './field-path';

/**
 * Maps one protobuf enum to a domain string-literal union by name: the wire value
 * `PREFIX_NAME` is the domain value `NAME`. Built once at load; a domain value
 * without a wire counterpart, or the reverse, fails loudly then rather than at
 * the first message.
 */
export class EnumCodec<D extends string> {
  /** Domain value by wire number; holes (UNSPECIFIED, unknown) are undefined. */
  private readonly byNumber: (D | undefined)[] = [];
  private readonly byName = new Map<string, number>();
  private readonly expected: string;

  constructor(
    wireEnum: object,
    prefix: string,
    domainValues: readonly D[],
  ) {
    const domain = new Set<string>(domainValues);
    for (const [name, value] of Object.entries(wireEnum)) {
      if (typeof value !== 'number' || value === 0) continue;
      const short = name.startsWith(prefix) ? name.slice(prefix.length) : name;
      if (!domain.has(short)) throw new Error(`wire enum ${name} has no domain value ${short}`);
      this.byNumber[value] = short as D;
      this.byName.set(short, value);
    }
    for (const value of domainValues) {
      if (!this.byName.has(value)) throw new Error(`domain value ${value} has no wire enum ${prefix}${value}`);
    }
    this.expected = `one of ${domainValues.join(', ')}`;
  }

  /** Wire number to domain value; UNSPECIFIED and unknown numbers throw. */
  decode(n: number | null | undefined, parent: string, name: string): D {
    const value = typeof n === 'number' ? this.byNumber[n] : undefined;
    if (value === undefined) {
      throw new ProtocolError(fieldPath(parent, name), this.expected, n === 0 ? '0 (unspecified)' : String(n));
    }
    return value;
  }

  /** Domain value to wire number. */
  encode(value: D, parent: string, name: string): number {
    const n = this.byName.get(value);
    if (n === undefined) throw new ProtocolError(fieldPath(parent, name), this.expected, String(value));
    return n;
  }
}

const BOOK_SIDES: readonly BookSide[] = ['BID', 'ASK'];

// One codec per wire enum, named after the domain type it yields.

/** `wire.DataQuality` ↔ the domain's `DataQuality`. */
export const dataQualityCodec = new EnumCodec(wire.DataQuality, 'DATA_QUALITY_', DATA_QUALITIES);
/** `wire.AggressorSide` ↔ the domain's `AggressorSide`. */
export const aggressorSideCodec = new EnumCodec(wire.AggressorSide, 'AGGRESSOR_SIDE_', AGGRESSOR_SIDES);
/** `wire.BookSide` ↔ the domain's `BookSide`. */
export const bookSideCodec = new EnumCodec(wire.BookSide, 'BOOK_SIDE_', BOOK_SIDES);
/** `wire.AssetClass` ↔ the domain's `AssetClass`. */
export const assetClassCodec = new EnumCodec(wire.AssetClass, 'ASSET_CLASS_', ASSET_CLASSES);
/** `wire.OrderSide` ↔ the domain's `OrderSide`. */
export const orderSideCodec = new EnumCodec(wire.OrderSide, 'ORDER_SIDE_', ORDER_SIDES);
/** `wire.OrderType` ↔ the domain's `OrderType`. */
export const orderTypeCodec = new EnumCodec(wire.OrderType, 'ORDER_TYPE_', ORDER_TYPES);
/** `wire.TimeInForce` ↔ the domain's `TimeInForce`. */
export const timeInForceCodec = new EnumCodec(wire.TimeInForce, 'TIME_IN_FORCE_', TIMES_IN_FORCE);
/** `wire.OrderStatus` ↔ the domain's `OrderStatus`. */
export const orderStatusCodec = new EnumCodec(wire.OrderStatus, 'ORDER_STATUS_', ORDER_STATUSES);
/** `wire.LiquiditySide` ↔ the domain's `LiquiditySide`. */
export const liquiditySideCodec = new EnumCodec(wire.LiquiditySide, 'LIQUIDITY_SIDE_', LIQUIDITY_SIDES);
/** `wire.ConnectionState` ↔ the domain's `ConnectionState`. */
export const connectionStateCodec = new EnumCodec(wire.ConnectionState, 'CONNECTION_STATE_', CONNECTION_STATES);
/** `wire.ServiceState` ↔ the domain's `ServiceState`. */
export const serviceStateCodec = new EnumCodec(wire.ServiceState, 'SERVICE_STATE_', SERVICE_STATES);
/** `wire.AlertSeverity` ↔ the domain's `AlertSeverity`. */
export const alertSeverityCodec = new EnumCodec(wire.AlertSeverity, 'ALERT_SEVERITY_', ALERT_SEVERITIES);
