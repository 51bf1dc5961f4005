/** Node's Buffer has `utf8Slice` (what protobufjs uses too); the typings do not declare it. */
export interface SliceableBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
}

const SLOTS = 1024;
const CACHEABLE_LENGTH = 64;

/**
 * Decoded UTF-8 strings by content. Topics, sources, venues and symbols
 * repeat endlessly on the bus; hashing and comparing a few dozen bytes costs
 * less than decoding them into a new string every time. A small direct-mapped
 * table: a collision simply replaces the slot. Exact: a hit requires the
 * same bytes, so the result is always what `utf8Slice` would return.
 */
export class StringCache {
  private readonly hashes = new Int32Array(SLOTS);
  private readonly bytes: Array<Uint8Array | undefined> = new Array(SLOTS);
  private readonly strings: string[] = new Array(SLOTS);

  /** The UTF-8 text of `buf[start..end)`. */
  decode(buf: SliceableBuffer, start: number, end: number): string {
    const length = end - start;
    if (length > CACHEABLE_LENGTH) return buf.utf8Slice(start, end);
    let hash = length;
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + (buf[i] as number)) | 0;
    const slot = hash & (SLOTS - 1);
    const cached = this.bytes[slot];
    if (cached !== undefined && this.hashes[slot] === hash && cached.length === length) {
      let i = 0;
      while (i < length && cached[i] === buf[start + i]) i++;
      if (i === length) return this.strings[slot] as string;
    }
    const value = buf.utf8Slice(start, end);
    this.hashes[slot] = hash;
    this.bytes[slot] = Uint8Array.prototype.slice.call(buf, start, end);
    this.strings[slot] = value;
    return value;
  }
}
