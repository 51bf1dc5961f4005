import { ProtocolError } from '@ttquant/protocol';
import { ReceivedMessage, type BusMessage } from './bus-message';
import type { DecodedFrame, FrameItem } from './decoded-frame';
import { decodeFrame } from './fast-envelope-decoder';
import { StringCache, type SliceableBuffer } from './string-cache';
import { GapTracker, SequenceVerdict, type SequenceGap, type StreamStart } from './gap-tracker';
import { FamilyCounts, LabelCounter, type SocketMetricsSnapshot } from './metrics';

/** Why a frame was dropped. */
export type MalformedReason = 'frame-count' | 'undecodable' | 'schema-version' | 'invalid-header' | 'invalid-body';

/** A dropped frame, as reported to `onMalformed`. */
export interface MalformedFrame {
  readonly reason: MalformedReason;
  /** What was expected and what was found. */
  readonly detail: string;
  /** The topic frame as text, when there was one. */
  readonly topic: string | undefined;
}

/** Callbacks and switches shared by the receiving sockets. */
export interface ReceiveOptions {
  /** Called for every frame dropped as malformed. Exceptions are swallowed. */
  readonly onMalformed?: (frame: MalformedFrame) => void;
  /** Called once per sequence gap with the exact missing range. Exceptions are swallowed. */
  readonly onGap?: (gap: SequenceGap) => void;
  /** Called on the first message of each stream and epoch (e.g. to request a replay from sequence 1). */
  readonly onStreamStart?: (start: StreamStart) => void;
}

/** Receive-side counters. */
export interface ReceiveStats {
  /** Valid messages delivered (batch items counted one by one). */
  readonly received: number;
  /** Frames dropped as malformed, by reason. */
  readonly malformed: Readonly<Record<MalformedReason, number>>;
  readonly malformedTotal: number;
  readonly gaps: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly epochResets: number;
  readonly streams: number;
}

const REASONS: readonly MalformedReason[] = ['frame-count', 'undecodable', 'schema-version', 'invalid-header', 'invalid-body'];

function reasonOf(error: ProtocolError): MalformedReason {
  if (error.field === 'envelope') return 'undecodable';
  if (error.field === 'header.schemaVersion') return 'schema-version';
  if (error.field === 'header' || error.field.startsWith('header.')) return 'invalid-header';
  return 'invalid-body';
}

/**
 * Turns received frames into checked messages: frame count, decoding and
 * validation (malformed frames are counted and dropped, never thrown), then
 * the sequence check of every item (duplicates dropped, gaps reported).
 */
export class EnvelopeReader {
  readonly gaps: GapTracker;
  private receivedCount = 0;
  private readonly malformedCounts = new LabelCounter();
  private readonly families: { received: FamilyCounts; gaps: FamilyCounts; missing: FamilyCounts; duplicates: FamilyCounts } | undefined;
  private readonly topics = new StringCache();
  /** When set, only topics it accepts are decoded (exact-topic subscriptions). */
  filter: ((topic: string) => boolean) | undefined;

  constructor(
    private readonly options: ReceiveOptions,
    /** Count by topic family too (only when metrics are exported). */
    byFamily: boolean,
  ) {
    const families = byFamily
      ? { received: new FamilyCounts(), gaps: new FamilyCounts(), missing: new FamilyCounts(), duplicates: new FamilyCounts() }
      : undefined;
    this.families = families;
    const onGap = options.onGap;
    this.gaps = new GapTracker({
      onGap:
        families || onGap
          ? (gap) => {
              families?.gaps.add(gap.topic);
              families?.missing.add(gap.topic, gap.to - gap.from + 1);
              onGap?.(gap);
            }
          : undefined,
      onStreamStart: options.onStreamStart,
      onDuplicate: families ? (topic) => families.duplicates.add(topic) : undefined,
    });
  }

  /** Appends the valid messages of one multipart frame to `out`; returns how many. */
  read(frames: readonly Buffer[], out: BusMessage[]): number {
    if (frames.length !== 2) {
      this.malformed('frame-count', `expected 2 frames (topic, envelope), was ${frames.length}`, frames);
      return 0;
    }
    const topicFrame = frames[0] as SliceableBuffer;
    const topic = this.topics.decode(topicFrame, 0, topicFrame.length);
    if (this.filter !== undefined && !this.filter(topic)) return 0;
    let frame: DecodedFrame;
    try {
      frame = decodeFrame(frames[1] as Buffer);
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.malformed(reasonOf(err), err.message, frames);
        return 0;
      }
      throw err;
    }
    const service = frame.service;
    const instance = frame.instance;
    const batch = frame.batch;
    let accepted = 0;
    if (batch === undefined) {
      if (this.gaps.checkBits(topic, service, instance, frame.epochLow, frame.epochHigh, frame.sequence) !== SequenceVerdict.Duplicate) {
        frame.topic = topic;
        out.push(frame);
        accepted = 1;
      }
    } else {
      for (let i = 0; i < batch.length; i++) {
        const item = batch[i] as FrameItem;
        if (this.gaps.checkBits(topic, service, instance, frame.epochLow, frame.epochHigh, item.sequence) === SequenceVerdict.Duplicate) continue;
        out.push(new ReceivedMessage(topic, frame, item));
        accepted++;
      }
    }
    this.receivedCount += accepted;
    if (this.families !== undefined && accepted > 0) this.families.received.add(topic, accepted);
    return accepted;
  }

  /** Counters since construction. */
  stats(): ReceiveStats {
    const malformed = {} as Record<MalformedReason, number>;
    for (const reason of REASONS) malformed[reason] = this.malformedCounts.get(reason);
    const gaps = this.gaps.stats();
    return {
      received: this.receivedCount,
      malformed,
      malformedTotal: this.malformedCounts.total(),
      gaps: gaps.gaps,
      missing: gaps.missing,
      duplicates: gaps.duplicates,
      epochResets: gaps.epochResets,
      streams: gaps.streams,
    };
  }

  /** Counters by label, for Prometheus. */
  metricsSnapshot(): SocketMetricsSnapshot {
    return {
      received: this.families?.received.snapshot(),
      gaps: this.families?.gaps.snapshot(),
      missing: this.families?.missing.snapshot(),
      duplicates: this.families?.duplicates.snapshot(),
      malformed: this.malformedCounts.snapshot(),
    };
  }

  private malformed(reason: MalformedReason, detail: string, frames: readonly Buffer[]): void {
    this.malformedCounts.add(reason);
    const onMalformed = this.options.onMalformed;
    if (!onMalformed) return;
    const first = frames[0];
    try {
      onMalformed({ reason, detail, topic: first === undefined ? undefined : first.toString('utf8') });
    } catch {
      // A consumer's callback must never break the receive loop.
    }
  }
}
