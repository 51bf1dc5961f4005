/**
 * TWS API framing (v100+): a 4-byte big-endian length, then the fields joined by NUL with a final NUL.
 * The client's very first bytes are the `API\0` prefix followed by one length-prefixed version range.
 */

/** A value that can be written as one field; booleans go out as 0/1, undefined as an empty field. */
export type WireValue = string | number | boolean | undefined;

/** The largest frame either side accepts (the pinned client uses the same limit). */
export const MAX_FRAME_BYTES = 0xffffff;

const API_PREFIX = Buffer.from('API\0', 'latin1');

/** Builds one framed message from its fields. */
export function encodeFrame(fields: readonly WireValue[]): Buffer {
  const text = fields.map(encodeField).join('\0') + '\0';
  const body = Buffer.from(text, 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** Builds the client's opening bytes (`API\0` + framed version range); used by tests that speak raw TCP. */
export function encodeClientHello(minVersion: number, maxVersion: number): Buffer {
  const range = Buffer.from(`v${minVersion}..${maxVersion}`, 'utf8');
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(range.length, 0);
  return Buffer.concat([API_PREFIX, length, range]);
}

function encodeField(value: WireValue): string {
  if (value === undefined) return '';
  if (value === true) return '1';
  if (value === false) return '0';
  return String(value);
}

/** Raised when the byte stream cannot be a TWS API stream; the connection cannot be resynchronised. */
export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FramingError';
  }
}

/** What the reader produced from the bytes received so far. */
export type InboundFrame =
  | { kind: 'hello'; minVersion: number; maxVersion: number }
  | { kind: 'message'; fields: string[] }
  | { kind: 'bad-message'; reason: string; fields: string[] };

/**
 * Reassembles client frames from arbitrary TCP chunks. The first frame must be the `API\0` hello;
 * every later frame is split into fields. A frame without its final NUL is reported as a bad message
 * (the pinned client would glue its last field onto the next message), not as a fatal error.
 */
export class ClientFrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private helloSeen = false;

  /** Appends bytes and returns every complete frame they finish. Throws {@link FramingError} on a corrupt stream. */
  push(chunk: Buffer): InboundFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: InboundFrame[] = [];
    for (;;) {
      if (!this.helloSeen) {
        if (this.buffer.length < API_PREFIX.length) {
          if (!API_PREFIX.subarray(0, this.buffer.length).equals(this.buffer)) this.failPrefix();
          return frames;
        }
        if (!this.buffer.subarray(0, API_PREFIX.length).equals(API_PREFIX)) this.failPrefix();
        const body = this.takeFrame(API_PREFIX.length);
        if (body === undefined) return frames;
        this.helloSeen = true;
        frames.push(parseHello(body.toString('utf8')));
        continue;
      }
      const body = this.takeFrame(0);
      if (body === undefined) return frames;
      frames.push(splitFields(body));
    }
  }

  private failPrefix(): never {
    throw new FramingError(`expected the client to open with "API\\0", got ${JSON.stringify(this.buffer.subarray(0, 8).toString('latin1'))}`);
  }

  /** Removes and returns one length-prefixed body starting at offset, or undefined until it is complete. */
  private takeFrame(offset: number): Buffer | undefined {
    if (this.buffer.length < offset + 4) return undefined;
    const length = this.buffer.readUInt32BE(offset);
    if (length > MAX_FRAME_BYTES) {
      throw new FramingError(`expected a frame of at most ${MAX_FRAME_BYTES} bytes, got a length prefix of ${length}`);
    }
    const end = offset + 4 + length;
    if (this.buffer.length < end) return undefined;
    const body = this.buffer.subarray(offset + 4, end);
    this.buffer = this.buffer.subarray(end);
    return body;
  }
}

function parseHello(text: string): InboundFrame {
  const match = /^v(\d+)(?:\.\.(\d+))?/.exec(text);
  if (!match) throw new FramingError(`expected a version range like "v100..193" after "API\\0", got ${JSON.stringify(text)}`);
  const minVersion = Number(match[1]);
  const maxVersion = match[2] === undefined ? minVersion : Number(match[2]);
  return { kind: 'hello', minVersion, maxVersion };
}

function splitFields(body: Buffer): InboundFrame {
  const parts = body.toString('utf8').split('\0');
  const last = parts.pop();
  if (last !== '') {
    if (last !== undefined) parts.push(last);
    return { kind: 'bad-message', reason: 'expected the frame to end with a NUL after its last field, it did not', fields: parts };
  }
  if (parts.length === 0) return { kind: 'bad-message', reason: 'expected at least a message id field, got an empty frame', fields: parts };
  return { kind: 'message', fields: parts };
}
