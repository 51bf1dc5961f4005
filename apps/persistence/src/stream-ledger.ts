import type { StreamProgress } from '@ttquant/storage';

/** One stream, as the ledger keys it: publisher and topic (the epoch is tracked per entry). */
export interface LedgerStream {
  readonly service: string;
  readonly instance: string;
  readonly topic: string;
}

/** Sequences `from`..`to` of one stream run not handed over, with later ones that were. */
export interface LedgerHole extends LedgerStream {
  readonly epoch: bigint;
  readonly from: number;
  readonly to: number;
}

interface Entry {
  readonly service: string;
  readonly instance: string;
  readonly topic: string;
  epoch: bigint;
  /** Every sequence 1..contiguous was handed over. */
  contiguous: number;
  /** Handed-over runs above `contiguous`, sorted and disjoint: what arrived past a hole still being fetched. */
  runs: [from: number, to: number][];
  /** `contiguous` as last checkpointed. */
  saved: number;
  /** Replaced runs only: nothing more of the run will be handed over (its end was fetched, or cannot be). */
  settled?: boolean;
}

/**
 * Per stream, which sequences persistence has handed to its writers (or
 * deliberately skipped): the unbroken prefix 1..n, plus the runs that arrived
 * beyond a hole still being fetched. The prefix is what a checkpoint may
 * record as stored once the writers have flushed; a newer epoch of a stream
 * replaces the older one.
 */
export class StreamLedger {
  private readonly entries = new Map<string, Entry>();
  /**
   * Runs a newer epoch replaced, by stream key and epoch: their ends are
   * being fetched from the journal, and their progress is still checkpointed.
   * One is dropped once it is {@link settle}d, has no hole and its last
   * progress is checkpointed: nothing refers to it any more (a restart reads
   * only a stream's newest run from the stored progress), and a publisher
   * restarting again and again must not make the ledger grow.
   */
  private readonly retired = new Map<string, Entry>();
  /**
   * The map key of each stream object seen: the store passes one object per
   * stream for every message, so the key string is built once, not per note.
   */
  private readonly keys = new WeakMap<LedgerStream, string>();
  private replacedListener: ((stream: LedgerStream, epoch: bigint, contiguous: number) => void) | undefined;

  /**
   * Told when a newer epoch of a stream replaces the run followed so far,
   * with that run's epoch and unbroken prefix: the publisher restarted, and
   * the old run's end may never have reached the bus.
   */
  onReplaced(listener: (stream: LedgerStream, epoch: bigint, contiguous: number) => void): void {
    this.replacedListener = listener;
  }

  /** Sequences `from`..`to` of a stream are handed over (or given up for good). */
  note(stream: LedgerStream, epoch: bigint, from: number, to = from): void {
    const entry = this.entry(stream, epoch);
    if (entry === undefined || to <= entry.contiguous) return;
    if (from <= entry.contiguous + 1) {
      entry.contiguous = to;
    } else {
      insertRun(entry.runs, from, to);
    }
    // Runs that now touch the prefix join it.
    while (entry.runs.length > 0 && (entry.runs[0] as [number, number])[0] <= entry.contiguous + 1) {
      const [, runTo] = entry.runs.shift() as [number, number];
      entry.contiguous = Math.max(entry.contiguous, runTo);
    }
  }

  /** The database says 1..seq of this stream's epoch is stored: the prefix starts there at least. */
  base(stream: LedgerStream, epoch: bigint, seq: number): void {
    if (seq > 0) this.note(stream, epoch, 1, seq);
    else this.entry(stream, epoch);
  }

  /**
   * Follows an older run of a stream, known stored up to `seq`, beside the
   * current one: its end is being fetched while the stream goes on in a newer run.
   */
  retire(stream: LedgerStream, epoch: bigint, seq: number): void {
    const key = retiredKeyOf(this.keyOf(stream), epoch);
    if (this.retired.has(key)) return;
    this.retired.set(key, { service: stream.service, instance: stream.instance, topic: stream.topic, epoch, contiguous: seq, runs: [], saved: seq });
  }

  /**
   * Nothing more of a replaced run will be handed over: its end was fetched
   * from the journal, or there is none to fetch it from. The run is dropped
   * once its holes are closed and its last progress is checkpointed.
   * Ignored for a run the ledger does not follow as replaced.
   */
  settle(stream: LedgerStream, epoch: bigint): void {
    const key = retiredKeyOf(keyOf(stream), epoch);
    const entry = this.retired.get(key);
    if (entry === undefined) return;
    entry.settled = true;
    this.pruneIfDone(key, entry);
  }

  /** True when the ledger follows this stream in this epoch. */
  tracks(stream: LedgerStream, epoch: bigint): boolean {
    return this.entries.get(this.keyOf(stream))?.epoch === epoch;
  }

  /** The end of the unbroken prefix (0 when the stream's epoch is unknown). */
  contiguous(stream: LedgerStream, epoch: bigint): number {
    const entry = this.entries.get(this.keyOf(stream));
    return entry?.epoch === epoch ? entry.contiguous : 0;
  }

  /** The highest sequence handed over, prefix or not. */
  highest(stream: LedgerStream, epoch: bigint): number {
    const entry = this.entries.get(this.keyOf(stream));
    if (entry?.epoch !== epoch) return 0;
    return entry.runs.at(-1)?.[1] ?? entry.contiguous;
  }

  /** Every hole: sequences missing below something handed over, per stream run. */
  holes(): LedgerHole[] {
    const out: LedgerHole[] = [];
    for (const e of this.all()) {
      let below = e.contiguous;
      for (const [from, to] of e.runs) {
        out.push({ service: e.service, instance: e.instance, topic: e.topic, epoch: e.epoch, from: below + 1, to: from - 1 });
        below = to;
      }
    }
    return out;
  }

  /** Prefixes that moved since the last {@link markSaved}: what a checkpoint writes. */
  unsaved(): StreamProgress[] {
    const out: StreamProgress[] = [];
    for (const e of this.all()) {
      if (e.contiguous > e.saved) out.push({ service: e.service, instance: e.instance, topic: e.topic, epoch: e.epoch, seq: e.contiguous });
    }
    return out;
  }

  /** Records that these prefixes reached the database. */
  markSaved(saved: readonly StreamProgress[]): void {
    for (const s of saved) {
      const key = keyOf(s);
      const current = this.entries.get(key);
      if (current?.epoch === s.epoch) {
        current.saved = Math.max(current.saved, s.seq);
        continue;
      }
      const retiredKey = retiredKeyOf(key, s.epoch);
      const entry = this.retired.get(retiredKey);
      if (entry === undefined) continue;
      entry.saved = Math.max(entry.saved, s.seq);
      this.pruneIfDone(retiredKey, entry);
    }
  }

  /** Forgets streams (their shard went to another worker). */
  forget(matches: (stream: LedgerStream) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry)) this.entries.delete(key);
    for (const [key, entry] of this.retired) if (matches(entry)) this.retired.delete(key);
  }

  /** Streams followed. */
  get size(): number {
    return this.entries.size;
  }

  /** Replaced runs still followed: their end being fetched, a hole open, or their last progress not yet checkpointed. */
  get replacedRuns(): number {
    return this.retired.size;
  }

  /** Drops a replaced run that can change no more and whose progress is all checkpointed. */
  private pruneIfDone(key: string, entry: Entry): void {
    if (entry.settled === true && entry.runs.length === 0 && entry.saved >= entry.contiguous) this.retired.delete(key);
  }

  private *all(): Iterable<Entry> {
    yield* this.entries.values();
    yield* this.retired.values();
  }

  private keyOf(stream: LedgerStream): string {
    let key = this.keys.get(stream);
    if (key === undefined) {
      key = keyOf(stream);
      this.keys.set(stream, key);
    }
    return key;
  }

  private entry(stream: LedgerStream, epoch: bigint): Entry | undefined {
    const key = this.keyOf(stream);
    let entry = this.entries.get(key);
    if (entry === undefined && this.retired.size > 0) {
      const old = this.retired.get(retiredKeyOf(key, epoch));
      if (old !== undefined) return old;
    }
    // A message of an older run: followed only when its end is being fetched (its rows are keyed either way).
    if (entry !== undefined && entry.epoch > epoch) return this.retired.get(retiredKeyOf(key, epoch));
    if (entry === undefined || entry.epoch < epoch) {
      const replaced = entry;
      if (replaced !== undefined) this.retired.set(retiredKeyOf(key, replaced.epoch), replaced);
      entry = { service: stream.service, instance: stream.instance, topic: stream.topic, epoch, contiguous: 0, runs: [], saved: 0 };
      this.entries.set(key, entry);
      if (replaced !== undefined) this.replacedListener?.(replaced, replaced.epoch, replaced.contiguous);
    }
    return entry;
  }
}

function keyOf(stream: LedgerStream): string {
  return `${stream.service}\u0000${stream.instance}\u0000${stream.topic}`;
}

/** The key of one replaced run of a stream. */
function retiredKeyOf(streamKey: string, epoch: bigint): string {
  return `${streamKey}\u0000${epoch}`;
}

/** Adds [from, to] to sorted disjoint runs, merging neighbours; live traffic appends at the end, the common case. */
function insertRun(runs: [number, number][], from: number, to: number): void {
  const last = runs.at(-1);
  if (last === undefined || from > last[1] + 1) {
    runs.push([from, to]);
    return;
  }
  if (from >= last[0]) {
    last[1] = Math.max(last[1], to);
    return;
  }
  runs.push([from, to]);
  runs.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const run of runs) {
    const top = merged.at(-1);
    if (top !== undefined && run[0] <= top[1] + 1) top[1] = Math.max(top[1], run[1]);
    else merged.push([run[0], run[1]]);
  }
  runs.splice(0, runs.length, ...merged);
}
