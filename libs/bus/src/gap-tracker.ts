import type { Int64Like } from '@ttquant/protocol';
import type { MessageSource } from './envelope-stamper';

/** A run of messages that never arrived on one stream: sequences `from`..`to`, inclusive. */
export interface SequenceGap {
  /** `<service>/<instance>:<topic>`, for logs. */
  readonly stream: string;
  readonly source: MessageSource;
  readonly topic: string;
  /** The publisher run the missing messages belong to (for a replay request). */
  readonly epoch: bigint;
  readonly from: number;
  readonly to: number;
}

/** The first message seen of a stream (a new subscriber, a new publisher epoch). */
export interface StreamStart {
  readonly stream: string;
  readonly source: MessageSource;
  readonly topic: string;
  readonly epoch: bigint;
  /** Messages 1..firstSequence-1 of this epoch were published before we saw the stream. */
  readonly firstSequence: number;
  /** True when the source was already known under another epoch: the publisher restarted. */
  readonly restarted: boolean;
}

/** What {@link GapTracker.check} decided about one message. */
export const SequenceVerdict = {
  /** The first message of a stream: sets the baseline. */
  First: 0,
  /** The next sequence expected. */
  InOrder: 1,
  /** Later than expected: the missing range was reported. Deliver it. */
  Gap: 2,
  /** Already seen (or older): drop it. */
  Duplicate: 3,
  /** A new epoch of a known stream: tracking restarted from this message. */
  NewEpoch: 4,
} as const;
/** One of {@link SequenceVerdict}'s values. */
export type SequenceVerdict = (typeof SequenceVerdict)[keyof typeof SequenceVerdict];

/** Counters of a {@link GapTracker}. */
export interface GapStats {
  readonly streams: number;
  readonly gaps: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly epochResets: number;
}

/** Options of a {@link GapTracker}. */
export interface GapTrackerOptions {
  /** Called once per gap, with the exact missing range. Exceptions are swallowed. */
  readonly onGap?: (gap: SequenceGap) => void;
  /** Called on the first message of each stream and epoch. Exceptions are swallowed. */
  readonly onStreamStart?: (start: StreamStart) => void;
  /** Called for each duplicate dropped, with the topic (e.g. to count by topic family). */
  readonly onDuplicate?: (topic: string, sequence: number) => void;
}

// Streams of one topic form a short list (usually one publisher per topic):
// comparing two strings is cheaper than building a composite map key per message.
interface StreamState {
  readonly service: string;
  readonly instance: string;
  epochLow: number;
  epochHigh: number;
  last: number;
  next: StreamState | undefined;
}

/**
 * Checks per-stream sequence numbers. A stream is one topic from one
 * publisher instance (source service + instance); each publisher run has its
 * own epoch and numbers every topic from 1.
 *
 * - The first message of a stream sets the baseline: no gap on joining mid-stream.
 * - A jump reports the exact missing range to `onGap` and the counters.
 * - A repeated or older sequence is a duplicate: counted, to be dropped.
 * - A different epoch restarts tracking from that message: no false gap after a restart.
 *
 * One map lookup per message, no allocation on the in-order path; epochs are
 * compared as two 32-bit halves, never as bigints.
 */
export class GapTracker {
  private readonly byTopic = new Map<string, StreamState>();
  private streamCount = 0;
  private gapCount = 0;
  private missingCount = 0;
  private duplicateCount = 0;
  private epochResetCount = 0;

  constructor(private readonly options: GapTrackerOptions = {}) {}

  /** Checks one message; see {@link SequenceVerdict}. */
  check(topic: string, service: string, instance: string, epoch: Int64Like, sequence: number): SequenceVerdict {
    if (typeof epoch === 'number') {
      return this.checkBits(topic, service, instance, epoch % 4294967296 >>> 0, Math.floor(epoch / 4294967296) >>> 0, sequence);
    }
    return this.checkBits(topic, service, instance, epoch.low >>> 0, epoch.high >>> 0, sequence);
  }

  /** {@link check} with the epoch as unsigned 32-bit halves (the receive path's form). */
  checkBits(topic: string, service: string, instance: string, epochLow: number, epochHigh: number, sequence: number): SequenceVerdict {
    const head = this.byTopic.get(topic);
    let state = head;
    while (state !== undefined && (state.service !== service || state.instance !== instance)) state = state.next;
    if (state === undefined) {
      state = { service, instance, epochLow, epochHigh, last: sequence, next: head };
      this.byTopic.set(topic, state);
      this.streamCount++;
      this.started(state, topic, sequence, false);
      return SequenceVerdict.First;
    }
    if (state.epochLow !== epochLow || state.epochHigh !== epochHigh) {
      state.epochLow = epochLow;
      state.epochHigh = epochHigh;
      state.last = sequence;
      this.epochResetCount++;
      this.started(state, topic, sequence, true);
      return SequenceVerdict.NewEpoch;
    }
    const expected = state.last + 1;
    if (sequence === expected) {
      state.last = sequence;
      return SequenceVerdict.InOrder;
    }
    if (sequence < expected) {
      this.duplicateCount++;
      if (this.options.onDuplicate) safely(this.options.onDuplicate, topic, sequence);
      return SequenceVerdict.Duplicate;
    }
    state.last = sequence;
    this.gapCount++;
    this.missingCount += sequence - expected;
    if (this.options.onGap) {
      safely(this.options.onGap, {
        stream: `${service}/${instance}:${topic}`,
        source: { service, instance },
        topic,
        epoch: epochOf(state),
        from: expected,
        to: sequence - 1,
      });
    }
    return SequenceVerdict.Gap;
  }

  /** The last sequence seen of a stream in its current epoch, or undefined if unknown. */
  lastSequence(topic: string, service: string, instance: string): number | undefined {
    let state = this.byTopic.get(topic);
    while (state !== undefined && (state.service !== service || state.instance !== instance)) state = state.next;
    return state?.last;
  }

  /** Forgets every stream (e.g. after a reconnect that is known to have lost messages and is handled elsewhere). */
  reset(): void {
    this.byTopic.clear();
    this.streamCount = 0;
  }

  /** Counters since construction. */
  stats(): GapStats {
    return {
      streams: this.streamCount,
      gaps: this.gapCount,
      missing: this.missingCount,
      duplicates: this.duplicateCount,
      epochResets: this.epochResetCount,
    };
  }

  private started(state: StreamState, topic: string, sequence: number, restarted: boolean): void {
    const onStreamStart = this.options.onStreamStart;
    if (!onStreamStart) return;
    safely(onStreamStart, {
      stream: `${state.service}/${state.instance}:${topic}`,
      source: { service: state.service, instance: state.instance },
      topic,
      epoch: epochOf(state),
      firstSequence: sequence,
      restarted,
    });
  }
}

function epochOf(state: StreamState): bigint {
  // Epochs are fixed64: unsigned.
  return (BigInt(state.epochHigh) << 32n) + BigInt(state.epochLow);
}

// A consumer's callback must never break the receive loop.
function safely<A extends unknown[]>(callback: (...args: A) => void, ...args: A): void {
  try {
    callback(...args);
  } catch {
    // Deliberately ignored: see above.
  }
}
