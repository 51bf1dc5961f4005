import type { BusMessage, SequenceGap, StreamStart } from '@ttquant/bus';
import { parseStreamHeads } from '@ttquant/service-bus';
import { shardOf, type StreamProgress } from '@ttquant/storage';
import type { MissingRange } from './replay-recovery';
import type { LedgerStream, StreamLedger } from './stream-ledger';

/** Where stored progress is read from (`ttq_stream_progress`). */
export interface ProgressSource {
  /** 1..n of this stream run is stored; 0 when nothing is recorded. */
  load(stream: LedgerStream & { readonly epoch: bigint }): Promise<number>;
  /** The newest run of every recorded stream. */
  latest(): Promise<StreamProgress[]>;
}

/** What a {@link ShardedStore} works with. */
export interface ShardedStoreOptions {
  readonly shardCount: number;
  /** True when this worker holds the shard (its lease). */
  readonly holds: (shard: number) => boolean;
  /** Stores one message (the router); the promise is the writers' backpressure. */
  readonly route: (message: BusMessage) => void | Promise<void>;
  readonly ledger: StreamLedger;
  readonly replay: { request(range: MissingRange): void };
  readonly progress: ProgressSource;
  /** True for topics this worker stores (heads of other topics are ignored). */
  readonly stored: (topic: string) => boolean;
  /** Services with a journal to ask: streams of others are never caught up. */
  readonly replayable: (service: string) => boolean;
  readonly logger: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/** Counters of a {@link ShardedStore}. */
export interface ShardedStoreCounts {
  /** Messages of shards another worker holds: not stored here. */
  foreign: number;
  /** Catch-up requests made for gained shards, stream starts and missed tails. */
  catchUps: number;
  /** Missed tails found from the publishers' announced stream heads. */
  tails: number;
  /** Ends of a publisher's previous run asked for once a newer run appeared. */
  previousRuns: number;
  /** Ledger holes still open a whole sweep later, asked for again. */
  staleHoles: number;
}

interface StreamInfo {
  readonly stream: LedgerStream;
  readonly shard: number;
  /** Last message seen while the shard was someone else's: how far a takeover must fetch. */
  seenEpoch: bigint;
  seen: number;
  /** A publisher's announced head from its previous heartbeat, checked at the next one. */
  headEpoch: bigint;
  head: number;
  /** Highest sequence already asked for, so a tail is requested once. */
  requested: number;
}

/**
 * Stores the streams of the shards this worker holds and keeps them complete:
 * - messages of other shards are skipped (their holder stores them);
 * - the first message of a stream, a gained shard, or a publisher's announced
 *   stream head beyond what arrived, all lead to a replay request starting
 *   after the stored progress (`ttq_stream_progress`), so nothing published
 *   while no worker held the stream, or while this one was down, is missed;
 * - every message handed to the writers is noted in the ledger, whose
 *   unbroken prefix the checkpoint records once the writers have flushed.
 * Heartbeats always pass (persistence's own marks it subscribed).
 */
export class ShardedStore {
  readonly counts: ShardedStoreCounts = { foreign: 0, catchUps: 0, tails: 0, previousRuns: 0, staleHoles: 0 };
  /** Holes found by the previous {@link sweepHoles}, by stream run and range. */
  private previousHoles = new Set<string>();
  private readonly streams = new Map<string, StreamInfo>();
  /**
   * The same streams by topic, then publisher: what each message is looked up
   * in. Topics and names arrive as the bus's cached strings, so this finds a
   * stream without building a key string per message.
   */
  private readonly byTopic = new Map<string, StreamInfo[]>();
  /** Shards being handed over: their messages are no longer stored here. */
  private readonly releasing = new Set<number>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(private readonly options: ShardedStoreOptions) {
    options.ledger.onReplaced((stream, epoch, contiguous) => this.fetchPreviousRun(stream, epoch, contiguous + 1));
  }

  /** For the bus loop and for replayed messages. */
  handle = (message: BusMessage): void | Promise<void> => {
    const { payload } = message;
    if (payload.heartbeat) {
      this.onHeartbeat(message);
      return this.options.route(message);
    }
    const info = this.info(message.source, message.topic);
    if (!this.owns(info.shard)) {
      this.counts.foreign++;
      if (message.epoch > info.seenEpoch || (message.epoch === info.seenEpoch && message.sequence > info.seen)) {
        info.seenEpoch = message.epoch;
        info.seen = message.sequence;
      }
      return undefined;
    }
    const routed = this.options.route(message);
    if (routed === undefined) {
      this.options.ledger.note(info.stream, message.epoch, message.sequence);
      return undefined;
    }
    return routed.then(() => this.options.ledger.note(info.stream, message.epoch, message.sequence));
  };

  /** For the subscriber's `onStreamStart`: fetch what came before, from the stored progress on. */
  onStreamStart = (start: StreamStart): void => {
    const info = this.info(start.source, start.topic);
    if (!this.owns(info.shard) || !this.options.replayable(start.source.service)) return;
    void this.catchUp(info, start.epoch, start.firstSequence - 1);
  };

  /** For the subscriber's `onGap`. */
  onGap = (gap: SequenceGap): void => {
    const info = this.info(gap.source, gap.topic);
    if (!this.owns(info.shard)) return;
    this.options.replay.request({ ...gap.source, topic: gap.topic, epoch: gap.epoch, from: gap.from, to: gap.to });
  };

  /**
   * For the replay's `onSettled`: a fetch up to a journal's end (open-ended)
   * is over, so a replaced run it was for can get nothing more; the ledger
   * drops that run once its holes are closed and its last progress is
   * checkpointed. (Should an earlier catch-up of the run settle first, the
   * run's recorded progress may only lag what its later fetch stores: lagging
   * is safe, a restart fetches a little more.)
   */
  onSettled = (range: MissingRange): void => {
    if (range.to === undefined) this.options.ledger.settle(range, range.epoch);
  };

  /** Gained shards: fetch each of their streams from its stored progress to the journal's end. */
  async onGained(shards: readonly number[]): Promise<void> {
    const gained = new Set(shards);
    for (const shard of shards) this.releasing.delete(shard);
    const recorded = await this.options.progress.latest();
    const done = new Set<string>();
    for (const entry of recorded) {
      const info = this.info(entry, entry.topic);
      if (!gained.has(info.shard) || !this.options.replayable(entry.service)) continue;
      done.add(keyOf(entry, entry.topic));
      // A newer run seen on the bus is followed from now on; the recorded one's end is still in the journal.
      const epoch = info.seenEpoch > entry.epoch ? info.seenEpoch : entry.epoch;
      if (epoch === entry.epoch) this.options.ledger.base(info.stream, epoch, entry.seq);
      else {
        this.options.ledger.retire(info.stream, entry.epoch, entry.seq);
        this.fetchPreviousRun(info.stream, entry.epoch, entry.seq + 1);
      }
      await this.catchUp(info, epoch, undefined);
    }
    for (const [key, info] of this.streams) {
      if (done.has(key) || !gained.has(info.shard) || info.seen === 0 || !this.options.replayable(info.stream.service)) continue;
      await this.catchUp(info, info.seenEpoch, undefined);
    }
  }

  /**
   * Asks again for every ledger hole that was already open at the previous
   * sweep. A hole's first request can fail for good (the publisher was down
   * past every retry, the requester was closed), and nothing else would ask:
   * the stream's later messages keep arriving, so no new gap is seen, and the
   * tail check looks only beyond the highest sequence. Call it on a timer
   * longer than a replay usually takes, so a hole being fetched is left alone.
   * A hole no journal can ever fill (no replay endpoint, an answer that cannot
   * be read) is given up by the replay and noted in the ledger: asked for once.
   */
  sweepHoles = (): void => {
    const current = new Set<string>();
    for (const hole of this.options.ledger.holes()) {
      const key = `${keyOf(hole, hole.topic)}\u0000${hole.epoch}\u0000${hole.from}\u0000${hole.to}`;
      current.add(key);
      if (!this.previousHoles.has(key)) continue;
      const info = this.info(hole, hole.topic);
      if (!this.owns(info.shard)) continue;
      this.counts.staleHoles++;
      this.options.logger.warn({ topic: hole.topic, epoch: hole.epoch.toString(), from: hole.from, to: hole.to }, 'hole still open: asking for replay again');
      this.options.replay.request({ service: hole.service, instance: hole.instance, topic: hole.topic, epoch: hole.epoch, from: hole.from, to: hole.to });
    }
    this.previousHoles = current;
  };

  /** Before shards are handed over: stop storing their messages. */
  suspend(shards: readonly number[]): void {
    for (const shard of shards) this.releasing.add(shard);
  }

  /** The hand-over did not happen: store them again. */
  resume(shards: readonly number[]): void {
    for (const shard of shards) this.releasing.delete(shard);
  }

  /** Shards that are another worker's now: forget their streams. */
  forget(shards: readonly number[]): void {
    const gone = new Set(shards);
    for (const shard of shards) this.releasing.delete(shard);
    this.options.ledger.forget((stream) => gone.has(this.info(stream, stream.topic).shard));
    for (const info of this.streams.values()) {
      if (gone.has(info.shard)) info.requested = 0;
    }
  }

  /** Streams known (seen or recorded). */
  get streamCount(): number {
    return this.streams.size;
  }

  private owns(shard: number): boolean {
    return this.options.holds(shard) && !this.releasing.has(shard);
  }

  /**
   * A publisher's heartbeat lists its streams' last sequences. A head from
   * the previous beat that is still beyond everything received is a lost
   * tail (the bus keeps one publisher's messages in order, so they would
   * have arrived before this beat): fetch it.
   */
  private onHeartbeat(message: BusMessage): void {
    const heads = parseStreamHeads(message.payload.heartbeat?.info?.['streamHeads']);
    if (heads.size === 0 || !this.options.replayable(message.source.service)) return;
    for (const [topic, head] of heads) {
      if (!this.options.stored(topic)) continue;
      const info = this.info(message.source, topic);
      const previous = info.headEpoch === message.epoch ? info.head : 0;
      info.headEpoch = message.epoch;
      info.head = head;
      if (!this.owns(info.shard) || previous === 0) continue;
      const have = Math.max(this.options.ledger.highest(info.stream, message.epoch), info.requested);
      if (previous <= have) continue;
      this.counts.tails++;
      this.options.logger.info({ topic, source: message.source, have, head: previous }, 'stream tail missed: asking for replay');
      void this.catchUp(info, message.epoch, previous);
    }
  }

  /**
   * Asks for a publisher's previous run from `from` to its journal's end. A
   * publisher killed with messages journaled but not yet delivered (or
   * delivered while no worker held the stream) restarts under a new epoch:
   * without this, that run's end would never be fetched.
   */
  private fetchPreviousRun(stream: LedgerStream, epoch: bigint, from: number): void {
    if (!this.options.replayable(stream.service)) {
      // No journal to fetch its end from: nothing more of it will come.
      this.options.ledger.settle(stream, epoch);
      return;
    }
    this.counts.previousRuns++;
    this.options.logger.info({ topic: stream.topic, epoch: epoch.toString(), from }, 'publisher restarted: fetching the end of its previous run');
    this.options.replay.request({ service: stream.service, instance: stream.instance, topic: stream.topic, epoch, from, to: undefined });
  }

  /** Asks for stored-progress+1 .. `through` (undefined: the journal's end) of one stream run. */
  private async catchUp(info: StreamInfo, epoch: bigint, through: number | undefined): Promise<void> {
    try {
      await this.track(info, epoch);
    } catch (error) {
      // Without the stored progress, fetching from 1 is slower but complete.
      this.options.logger.warn({ err: error, topic: info.stream.topic }, 'stored progress not readable: fetching the stream from 1');
    }
    const from = this.options.ledger.contiguous(info.stream, epoch) + 1;
    if (through !== undefined && through < from) return;
    if (through !== undefined) info.requested = Math.max(info.requested, through);
    this.counts.catchUps++;
    this.options.replay.request({ ...info.stream, epoch, from, to: through });
  }

  /** Makes the ledger follow a stream run, starting from what the database says is stored. */
  private track(info: StreamInfo, epoch: bigint): Promise<void> {
    if (this.options.ledger.tracks(info.stream, epoch)) return Promise.resolve();
    const key = `${keyOf(info.stream, info.stream.topic)}\u0000${epoch}`;
    let loading = this.loading.get(key);
    if (!loading) {
      loading = this.options.progress
        .load({ ...info.stream, epoch })
        .then((seq) => this.options.ledger.base(info.stream, epoch, seq))
        .finally(() => this.loading.delete(key));
      this.loading.set(key, loading);
    }
    return loading;
  }

  private info(source: { readonly service: string; readonly instance: string }, topic: string): StreamInfo {
    const same = this.byTopic.get(topic);
    if (same !== undefined) {
      // Nearly always one publisher per topic: a short scan beats building a key.
      for (const info of same) {
        if (info.stream.instance === source.instance && info.stream.service === source.service) return info;
      }
    }
    const stream = { service: source.service, instance: source.instance, topic };
    const info: StreamInfo = {
      stream,
      shard: shardOf(stream, this.options.shardCount),
      seenEpoch: 0n,
      seen: 0,
      headEpoch: 0n,
      head: 0,
      requested: 0,
    };
    this.streams.set(keyOf(source, topic), info);
    if (same === undefined) this.byTopic.set(topic, [info]);
    else same.push(info);
    return info;
  }
}

function keyOf(source: { readonly service: string; readonly instance: string }, topic: string): string {
  return `${source.service}\u0000${source.instance}\u0000${topic}`;
}
