import { Decoder } from '@stoqey/ib/dist/core/io/decoder';
import { Encoder } from '@stoqey/ib/dist/core/io/encoder';
import { encodeFrame, type WireValue } from './framing';

/**
 * The pinned @stoqey/ib encoder and decoder run in-process, so specs can check the fake's layouts against
 * exactly what the client writes and reads, at any server version, without a socket.
 */

/** One event the pinned decoder emitted. */
export interface DecodedEvent {
  name: string;
  args: unknown[];
}

/** What the pinned decoder made of one message. */
export interface DecodeResult {
  events: DecodedEvent[];
  /** Errors the decoder raised itself (underrun, leftover fields, unknown id): any entry is a layout bug. */
  decodeErrors: string[];
  /** ERR_MSG errors delivered to the application (id != -1). */
  errors: { message: string; code: number; reqId: number }[];
  /** ERR_MSG notices delivered as information (id -1). */
  infos: { message: string; code: number }[];
}

/** The client's own socket turns tokens into fields this way (flattened, booleans as 0/1, undefined empty). */
function tokensToFields(tokens: unknown[]): string[] {
  const flat: unknown[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else flat.push(value);
  };
  walk(tokens);
  return flat.map((value) => {
    if (value === true || value === false) return value ? '1' : '0';
    if (value === undefined || value === null) return '';
    return String(value);
  });
}

/**
 * Runs one encoder call of the pinned client at a server version and returns the fields it would send.
 *
 * @example
 * const fields = encodeWithPinnedClient(193, (e) => e.reqCurrentTime());
 */
export function encodeWithPinnedClient(serverVersion: number, call: (encoder: Encoder) => void): string[][] {
  const sent: string[][] = [];
  const failures: string[] = [];
  const encoder = new Encoder({
    serverVersion,
    sendMsg: (tokens: unknown[]) => sent.push(tokensToFields(tokens)),
    emitError: (message: string) => failures.push(message),
  } as unknown as ConstructorParameters<typeof Encoder>[0]);
  call(encoder);
  if (failures.length > 0) throw new Error(`the pinned encoder refused the call: ${failures.join('; ')}`);
  return sent;
}

/** Frames the fields as the fake would, then lets the pinned client split and decode them. */
export function decodeWithPinnedClient(serverVersion: number, messages: readonly (readonly WireValue[])[]): DecodeResult {
  const result: DecodeResult = { events: [], decodeErrors: [], errors: [], infos: [] };
  const decoder = new Decoder({
    serverVersion,
    emitEvent: (name: string, ...args: unknown[]) => result.events.push({ name, args }),
    emitError: (message: string, code: number, reqId: number) => {
      // The decoder reports its own failures with code 505 (UNKNOWN_ID); ERR_MSG errors carry the sender's code.
      if (code === 505) result.decodeErrors.push(message);
      else result.errors.push({ message, code, reqId });
    },
    emitInfo: (message: string, code: number) => result.infos.push({ message, code }),
  } as unknown as ConstructorParameters<typeof Decoder>[0]);
  for (const fields of messages) {
    const frame = encodeFrame(fields);
    const text = frame.subarray(4).toString('utf8');
    decoder.enqueueMessage(text.split('\0').slice(0, -1));
  }
  decoder.process();
  return result;
}
