import type { BusMessage } from '@ttquant/bus';
import { decodePayloadAt, ProtocolError, type DomainMessage } from '@ttquant/protocol';

/** A bus message decoded into a domain object, or the reason it could not be. */
export type Inbound =
  | { readonly ok: true; readonly message: DomainMessage; readonly bus: BusMessage }
  | { readonly ok: false; readonly error: ProtocolError; readonly bus: BusMessage };

/**
 * Decodes a validated bus message's payload into its domain object. Total:
 * a payload the codecs refuse comes back as `{ ok: false }` with the
 * ProtocolError naming the field, for the caller to count and drop.
 */
export function decodeInbound(bus: BusMessage): Inbound {
  try {
    return { ok: true, message: decodePayloadAt(bus.payload, bus.eventTimeNs, bus.initTimeNs), bus };
  } catch (error) {
    if (error instanceof ProtocolError) return { ok: false, error, bus };
    throw error;
  }
}
