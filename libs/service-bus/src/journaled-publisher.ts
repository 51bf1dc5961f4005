import { Publisher, type MessageTimes, type PublisherOptions, type Topic } from '@ttquant/bus';
import { Journal, type JournalOptions } from '@ttquant/journal';
import { bigIntToInt64, encodePayload, wire, type DomainMessage } from '@ttquant/protocol';

/** Settings of a {@link JournaledPublisher}. */
export interface JournaledPublisherOptions extends Omit<PublisherOptions, 'onPublished'> {
  readonly journal: JournalOptions;
  /** How often buffered journal records are written to the file. Default 100 ms. */
  readonly flushIntervalMs?: number;
  /**
   * Write each envelope to the journal file before it is sent (one write per
   * frame), so a process that dies (kill -9) never leaves consumers holding
   * something its journal lacks; only an OS crash can still lose what was not
   * synced. The gateway sets it: after a restart it rebuilds its orders and
   * fills from the journal, and they must include everything it published.
   */
  readonly writeThrough?: boolean;
  /** Told when a periodic journal flush or retention run fails, or a timed batch could not be journaled or sent (it is retried). */
  readonly onMaintenanceError?: (error: unknown) => void;
}

/**
 * A publisher that journals every envelope it sends, so consumers that missed
 * something can ask for it again (replay), and a restarted service can rebuild
 * its state from what it published.
 *
 * {@link persisted} resolves once everything published is on disk: the
 * gateway waits for it before routing an order.
 * A batch frame is one journal record covering its consecutive sequences.
 */
export class JournaledPublisher {
  readonly publisher: Publisher;
  readonly journal: Journal;
  private readonly timer: NodeJS.Timeout;
  private readonly onMaintenanceError: ((error: unknown) => void) | undefined;
  private lastRetentionMs = Date.now();
  private readonly heads = new Map<string, number>();
  private served = 0;

  constructor(options: JournaledPublisherOptions) {
    this.journal = Journal.open(options.journal);
    const writeThrough = options.writeThrough ?? false;
    this.onMaintenanceError = options.onMaintenanceError;
    this.publisher = new Publisher({
      // A batch its timer could not journal or send is kept and retried; the service hears of it like a failed flush.
      onBackgroundError: options.onMaintenanceError,
      ...options,
      onPublished: (topic, sequence, envelope, count) => {
        this.heads.set(topic, sequence + count - 1);
        this.journal.append({ topic, epoch: this.publisher.epoch, sequence, count, payload: envelope });
        if (writeThrough) this.journal.flush();
      },
    });
    this.timer = setInterval(() => this.maintain(), options.flushIntervalMs ?? 100);
    this.timer.unref();
  }

  get epoch(): bigint {
    return this.publisher.epoch;
  }

  /** Publishes a domain message; journaled, written to the file within the flush interval. */
  publish(topic: Topic, message: DomainMessage, times?: MessageTimes): number {
    return this.publisher.publish(topic, encodePayload(message), times);
  }

  /**
   * Resolves once everything published so far is on disk: synced in place
   * after a quiet spell, else on a pool thread shared by the callers that
   * arrive meanwhile (group commit); see {@link Journal.persist}.
   */
  persisted(): Promise<void> {
    return this.journal.persist();
  }

  /** Replay requests answered so far (for the heartbeat: proof that consumers recovered something). */
  get replaysServed(): number {
    return this.served;
  }

  /**
   * Heartbeat entries of the journal: `replaysServed`, and `streamHeads`, the
   * last sequence published on each topic (see {@link formatStreamHeads}), from
   * which a consumer learns of messages it missed at the end of a stream,
   * when no later message would reveal the gap.
   */
  heartbeatInfo(): Record<string, string> {
    return { replaysServed: String(this.served), streamHeads: formatStreamHeads(this.heads) };
  }

  /** Answers a replay request from the journal. */
  replay(request: wire.ReplayRequest): wire.IReplayResponse {
    this.served++;
    const topic = request.topic as Topic;
    const epoch = BigInt(request.epoch.toString());
    const range = this.journal.range(topic, epoch);
    if (!range) return { envelopes: [], lastSequence: seq(0), firstAvailableSequence: seq(0), error: `no journal for ${topic} at epoch ${epoch}` };
    const from = Number(request.fromSequence.toString());
    const requestedTo = Number(request.toSequence.toString());
    const to = requestedTo === 0 ? range.lastSequence : requestedTo;
    const records = this.journal.read(topic, epoch, from, to);
    return {
      envelopes: records.map((r) => r.payload),
      lastSequence: seq(range.lastSequence),
      firstAvailableSequence: seq(range.firstSequence),
      error: '',
    };
  }

  /** Sends what is queued, then closes the socket and the journal (synced). */
  async close(timeoutMs = 1_000): Promise<void> {
    clearInterval(this.timer);
    this.publisher.flush();
    await this.publisher.close(timeoutMs);
    await this.journal.idle();
    this.journal.close();
  }

  private maintain(): void {
    // On a timer: an error here must not become an uncaught exception that kills the service.
    try {
      this.journal.flush();
      if (Date.now() - this.lastRetentionMs >= RETENTION_CHECK_MS) {
        this.lastRetentionMs = Date.now();
        this.journal.enforceRetention();
      }
    } catch (error) {
      this.maintenanceFailures++;
      this.onMaintenanceError?.(error);
    }
  }

  /** Journal flushes or retention runs that failed (disk full…); the next tick retries. */
  maintenanceFailures = 0;
}

const RETENTION_CHECK_MS = 60_000;

function seq(n: number) {
  return bigIntToInt64(BigInt(n), true);
}

/**
 * `topic=seq` pairs separated by spaces; topics never contain either
 * character. Carried in a heartbeat's info map, so the wire format is unchanged.
 */
export function formatStreamHeads(heads: ReadonlyMap<string, number>): string {
  let text = '';
  for (const [topic, sequence] of heads) text += `${text === '' ? '' : ' '}${topic}=${sequence}`;
  return text;
}

/** Reads {@link formatStreamHeads}; malformed pairs are skipped (a newer publisher may add to the format). */
export function parseStreamHeads(text: string | undefined): Map<string, number> {
  const heads = new Map<string, number>();
  if (!text) return heads;
  for (const pair of text.split(' ')) {
    const at = pair.lastIndexOf('=');
    const sequence = Number(pair.slice(at + 1));
    if (at > 0 && Number.isSafeInteger(sequence) && sequence > 0) heads.set(pair.slice(0, at), sequence);
  }
  return heads;
}
