import { crc32 } from 'node:zlib';

/**
 * On-disk layout of a journal segment.
 *
 * A segment starts with the 8-byte magic `TTQJRNL1`, then records:
 *
 * | field        | bytes | meaning                                         |
 * |--------------|-------|-------------------------------------------------|
 * | bodyLength   | 4     | length of everything after the checksum         |
 * | checksum     | 4     | CRC-32 of the body                              |
 * | appendTimeMs | 8     | wall-clock ms when appended (float64), for retention |
 * | epoch        | 8     | publisher epoch (uint64)                        |
 * | sequence     | 8     | stream sequence of the first message (uint64)   |
 * | count        | 4     | consecutive sequences the envelope carries (a batch) |
 * | topicLength  | 2     | bytes of the topic                              |
 * | topic        | n     | UTF-8                                           |
 * | payload      | rest  | the encoded envelope, exactly as published      |
 *
 * All integers big-endian. A torn tail (a crash mid-write) fails its length or
 * checksum and is cut off when the segment is opened.
 */
export const SEGMENT_MAGIC = Buffer.from('TTQJRNL1', 'latin1');
export const RECORD_PREFIX_BYTES = 8;
const FIXED_BODY_BYTES = 8 + 8 + 8 + 4 + 2;
/** Larger bodies can only be corruption: an envelope is kilobytes at most. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** One journaled message. */
export interface JournalRecord {
  readonly topic: string;
  readonly epoch: bigint;
  /** Sequence of the envelope's first message. */
  readonly sequence: number;
  /** How many consecutive sequences the envelope carries: 1, or a batch's size. */
  readonly count: number;
  /** The encoded envelope. */
  readonly payload: Uint8Array;
  readonly appendTimeMs: number;
}

/** Serialises a record, prefix included. */
export function encodeRecord(record: JournalRecord): Buffer {
  const topicBytes = Buffer.byteLength(record.topic, 'utf8');
  if (topicBytes > 0xffff) throw new RangeError(`expected a topic of at most 65535 bytes, was ${topicBytes}`);
  const bodyLength = FIXED_BODY_BYTES + topicBytes + record.payload.length;
  const buf = Buffer.allocUnsafe(RECORD_PREFIX_BYTES + bodyLength);
  let at = RECORD_PREFIX_BYTES;
  buf.writeDoubleBE(record.appendTimeMs, at);
  buf.writeBigUInt64BE(BigInt.asUintN(64, record.epoch), (at += 8));
  buf.writeBigUInt64BE(BigInt(record.sequence), (at += 8));
  buf.writeUInt32BE(record.count, (at += 8));
  buf.writeUInt16BE(topicBytes, (at += 4));
  buf.write(record.topic, (at += 2), 'utf8');
  buf.set(record.payload, at + topicBytes);
  buf.writeUInt32BE(bodyLength, 0);
  buf.writeUInt32BE(crc32(buf.subarray(RECORD_PREFIX_BYTES)), 4);
  return buf;
}

/** Reads the body length from a record prefix; undefined when it cannot be a valid record. */
export function bodyLengthOf(prefix: Buffer): number | undefined {
  const length = prefix.readUInt32BE(0);
  return length >= FIXED_BODY_BYTES && length <= MAX_BODY_BYTES ? length : undefined;
}

/** Parses a record body after checking it against the prefix's checksum; undefined when corrupt. */
export function decodeRecord(prefix: Buffer, body: Buffer): JournalRecord | undefined {
  if (crc32(body) !== prefix.readUInt32BE(4)) return undefined;
  const topicLength = body.readUInt16BE(28);
  if (FIXED_BODY_BYTES + topicLength > body.length) return undefined;
  return {
    appendTimeMs: body.readDoubleBE(0),
    epoch: body.readBigUInt64BE(8),
    sequence: Number(body.readBigUInt64BE(16)),
    count: body.readUInt32BE(24),
    topic: body.toString('utf8', FIXED_BODY_BYTES, FIXED_BODY_BYTES + topicLength),
    payload: body.subarray(FIXED_BODY_BYTES + topicLength),
  };
}
