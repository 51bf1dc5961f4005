import type { Instrument, InstrumentId } from '@ttquant/domain';
import { ProtocolError } from '../errors';
import type { wire } from '../wire';
import { assetClassCodec } from './enums';
import { fieldPath } from './field-path';
import { readDecimal, readRequiredString, readString, writeDecimal } from './scalars';
import { isWellFormedText } from './text';

/** Decodes a required InstrumentId at `parent.name`: venue and symbol must be non-empty. */
export function readInstrumentId(w: wire.IInstrumentId | null | undefined, parent: string, name: string): InstrumentId {
  if (w === null || w === undefined) throw new ProtocolError(fieldPath(parent, name), 'an instrument id', 'none');
  const venue = w.venue;
  const symbol = w.symbol;
  // The common case checks two strings without building a path.
  if (
    typeof venue === 'string' &&
    typeof symbol === 'string' &&
    venue !== '' &&
    symbol !== '' &&
    isWellFormedText(venue) &&
    isWellFormedText(symbol)
  ) {
    return { venue, symbol };
  }
  const path = fieldPath(parent, name);
  return { venue: readRequiredString(venue, path, 'venue'), symbol: readRequiredString(symbol, path, 'symbol') };
}

/**
 * Decodes a required InstrumentId; `field` names it in errors.
 * @throws ProtocolError when it is absent or its venue or symbol is empty.
 */
export function decodeInstrumentId(w: wire.IInstrumentId | null | undefined, field: string): InstrumentId {
  return readInstrumentId(w, field, '');
}

/** Encodes an InstrumentId. */
export function encodeInstrumentId(id: InstrumentId): wire.IInstrumentId {
  return { venue: id.venue, symbol: id.symbol };
}

/** Decodes `instrument` (an InstrumentDefinition) into a domain Instrument. */
export function decodeInstrument(w: wire.IInstrumentDefinition): Instrument {
  const p = 'instrument';
  return {
    id: readInstrumentId(w.id, p, 'id'),
    venueInstrumentId: readString(w.venueInstrumentId, p, 'venueInstrumentId'),
    assetClass: assetClassCodec.decode(w.assetClass, p, 'assetClass'),
    exchange: readString(w.exchange, p, 'exchange'),
    currency: readRequiredString(w.currency, p, 'currency'),
    baseCurrency: readString(w.baseCurrency, p, 'baseCurrency'),
    multiplier: readDecimal(w.multiplier, p, 'multiplier', 'positive'),
    tickSize: readDecimal(w.tickSize, p, 'tickSize', 'positive'),
    lotSize: readDecimal(w.lotSize, p, 'lotSize', 'positive'),
    minQuantity: readDecimal(w.minQuantity, p, 'minQuantity', 'non-negative'),
    description: readString(w.description, p, 'description'),
  };
}

/** Encodes a domain Instrument as an InstrumentDefinition. */
export function encodeInstrument(x: Instrument): wire.IInstrumentDefinition {
  const p = 'instrument';
  return {
    id: encodeInstrumentId(x.id),
    venueInstrumentId: x.venueInstrumentId,
    assetClass: assetClassCodec.encode(x.assetClass, p, 'assetClass'),
    exchange: x.exchange,
    currency: x.currency,
    baseCurrency: x.baseCurrency,
    multiplier: writeDecimal(x.multiplier, p, 'multiplier'),
    tickSize: writeDecimal(x.tickSize, p, 'tickSize'),
    lotSize: writeDecimal(x.lotSize, p, 'lotSize'),
    minQuantity: writeDecimal(x.minQuantity, p, 'minQuantity'),
    description: x.description,
  };
}
