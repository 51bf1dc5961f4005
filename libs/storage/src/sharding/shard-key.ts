import { StorageError } from '../errors';

/** The identity of one bus stream that decides its shard: the epoch is left out, so a restarted publisher keeps its shard. */
export interface ShardedStream {
  /** Publisher service, e.g. `market-data`. */
  readonly service: string;
  /** Publisher instance id. */
  readonly instance: string;
  /** Bus topic. */
  readonly topic: string;
}

/** Shards the topic space is split into unless configured otherwise. */
export const DEFAULT_SHARD_COUNT = 16;

/**
 * 32-bit FNV-1a of a string's UTF-16 code units. Chosen because it is stable
 * across processes, Node versions and machines (unlike any runtime hash) and
 * cheap enough to run once per new stream.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The shard (0..shardCount-1) a stream belongs to. Every persistence worker
 * computes the same answer, which is what lets them split streams without
 * talking to each other.
 *
 * @example
 * shardOf({ service: 'market-data', instance: 'md-1', topic: 'md.tick.SIM.ACME' }, 16); // 0..15
 */
export function shardOf(stream: ShardedStream, shardCount: number): number {
  assertShardCount(shardCount);
  return fnv1a32(`${stream.service}\u0000${stream.instance}\u0000${stream.topic}`) % shardCount;
}

/** Checks a shard count: an integer from 1 to 4096. */
export function assertShardCount(shardCount: number): void {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 4096) {
    throw new StorageError(`expected a shard count from 1 to 4096, was ${shardCount}`);
  }
}
