import { Requester, type BusMessage } from '@ttquant/bus';
import { bigIntToInt64, decodeEnvelope, int64ToBigInt, ProtocolError, type ValidEnvelope } from '@ttquant/protocol';

/** A range of one stream to fetch again. */
export interface MissingRange {
  readonly service: string;
  readonly instance: string;
  readonly topic: string;
  readonly epoch: bigint;
  readonly from: number;
  /** Last sequence wanted; `undefined`: up to whatever the journal holds (a tail nobody has seen). */
  readonly to: number | undefined;
}

/** Settings of {@link ReplayRecovery}. */
export interface ReplayRecoveryOptions {
  /** Replay endpoint of each publishing service (`market-data`, `gateway`); services not listed are not asked. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Stores one recovered message, exactly as if it had arrived live. */
  readonly route: (message: BusMessage) => void | Promise<void>;
  readonly logger: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  readonly timeoutMs?: number;
  /** First wait before a failed request (timeout, socket error) is made again, doubled per failure (default 500 ms). */
  readonly retryDelayMs?: number;
  /** Cap of that wait (default 30 s). Failed requests are retried until close: the journal may only be restarting. */
  readonly maxRetryDelayMs?: number;
  /**
   * Told about sequences no journal will ever give (retention dropped them, the
   * publisher run is gone, the service has no replay endpoint, or the answer or
   * a journal record cannot be read), once, so whoever tracks completeness
   * stops waiting for them and nothing asks for them again.
   */
  readonly onGivenUp?: (range: MissingRange, from: number, to: number) => void;
  /**
   * Told when a request is over for good: everything the journal held of the
   * range was routed, and what it could not give was given up (`from` is
   * past what earlier tries of it recovered). Not told while a failed request
   * waits for its retry, nor for one cut short by {@link ReplayRecovery.close}.
   */
  readonly onSettled?: (range: MissingRange) => void;
}

/** How one try of a request ended: over for good, waiting for a retry, or cut short by close. */
type Outcome = 'settled' | 'retrying' | 'cut short';

/** Counters for the heartbeat and metrics. */
export interface ReplayStats {
  requests: number;
  recovered: number;
  /** Messages given up: the journal no longer held them (retention), could not serve them, or there is no journal to ask. */
  unrecoverable: number;
  failures: number;
  /** Failed requests made again after their backoff. */
  retries: number;
}

/**
 * Fetches what persistence missed from the publishers' journals, as asked by
 * the sharded store (stream starts, gaps, tails, previous runs). Requests run one
 * at a time per service and lane (gaps; open-ended catch-ups); the storage keys
 * make a message that arrives twice (live and replayed) count once.
 */
export class ReplayRecovery {
  readonly stats: ReplayStats = { requests: 0, recovered: 0, unrecoverable: 0, failures: 0, retries: 0 };
  private readonly requesters = new Map<string, Requester>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  /**
   * Ranges asked for and not yet served or given up, retries included: asking
   * again for one (the hole sweep does, while a publisher stays down) adds nothing.
   */
  private readonly outstanding = new Set<string>();
  private closed = false;

  constructor(private readonly options: ReplayRecoveryOptions) {}

  /**
   * Queues a fetch of one range; requests to one service run one at a time, in
   * order. A range already being fetched (or waiting for its retry) is not asked twice.
   */
  request(range: MissingRange): void {
    const key = `${range.service}\u0000${range.instance}\u0000${range.topic}\u0000${range.epoch}\u0000${range.from}\u0000${range.to ?? ''}`;
    if (this.outstanding.has(key)) return;
    this.outstanding.add(key);
    this.enqueue(range, 0, key);
  }

  /** Resolves once every request queued so far has been served (or failed). */
  async drain(): Promise<void> {
    await Promise.all(this.queues.values());
  }

  /**
   * Finishes what is queued, for at most `budgetMs` (default: no limit), then
   * closes the sockets: a request cut short rejects, and what it would have
   * brought is fetched again by the next start (the stored progress lags it).
   * Resolves true when everything queued was served.
   */
  async close(budgetMs?: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      this.drain().then(() => true),
      ...(budgetMs === undefined ? [] : [new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), budgetMs)))]),
    ]);
    clearTimeout(timer);
    this.closed = true;
    for (const retry of this.retryTimers) clearTimeout(retry);
    this.retryTimers.clear();
    for (const requester of this.requesters.values()) requester.close();
    return done;
  }

  private enqueue(range: MissingRange, failed: number, key: string): void {
    if (this.closed) {
      // Not given up: the next start asks again from the stored progress.
      this.finish(range, 'cut short', key);
      return;
    }
    const endpoint = this.options.endpoints[range.service];
    if (!endpoint) {
      // No journal to ask now or ever: given up once, or the hole sweep would ask for it forever.
      this.giveUp(range, range.from, range.to, 'missed messages of a service with no replay endpoint');
      this.finish(range, 'settled', key);
      return;
    }
    // Two lanes per service: open-ended catch-ups (many at start-up, slow while the publisher is still
    // down) never hold back the fetch of a gap that just happened.
    const lane = `${range.service}/${range.to === undefined ? 'catch-up' : 'gaps'}`;
    const previous = this.queues.get(lane) ?? Promise.resolve();
    this.queues.set(
      lane,
      previous.then(async () => this.finish(range, await this.recover(endpoint, lane, range, failed, key), key)),
    );
  }

  /** Forgets a request that is no longer under way, telling `onSettled` when it is over for good. */
  private finish(range: MissingRange, outcome: Outcome, key: string): void {
    if (outcome === 'retrying') return;
    this.outstanding.delete(key);
    if (outcome !== 'settled') return;
    try {
      this.options.onSettled?.(range);
    } catch (error) {
      // A listener's failure must not break the lane's queue: every later request waits on it.
      this.options.logger.error({ err: error, ...range, epoch: range.epoch.toString() }, 'onSettled listener threw');
    }
  }

  /**
   * Asks again, after a backoff, for what a failed request left unfetched: a
   * hole given up on here would stay in the ledger, keeping progress behind
   * it, with nothing else asking for it.
   */
  private retryLater(range: MissingRange, failed: number, key: string): Outcome {
    if (this.closed) return 'cut short';
    const base = this.options.retryDelayMs ?? 500;
    const delay = Math.min(this.options.maxRetryDelayMs ?? 30_000, base * 2 ** Math.min(failed - 1, 20));
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.closed) {
        this.finish(range, 'cut short', key);
        return;
      }
      this.stats.retries++;
      this.enqueue(range, failed, key);
    }, delay);
    // A pending retry must not keep a stopping process alive: the next start asks again from the stored progress.
    timer.unref();
    this.retryTimers.add(timer);
    return 'retrying';
  }

  /** Fetches one range, as far as this try gets. */
  private async recover(endpoint: string, lane: string, range: MissingRange, failed: number, key: string): Promise<Outcome> {
    let requester = this.requesters.get(lane);
    if (!requester) {
      requester = new Requester({ name: `replay-${lane.replace('/', '-')}`, timeoutMs: this.options.timeoutMs ?? 5_000 });
      requester.connect(endpoint);
      this.requesters.set(lane, requester);
    }
    let from = range.from;
    // Open-ended: up to the journal's last sequence, learnt from the first answer.
    let to = range.to ?? Number.MAX_SAFE_INTEGER;
    try {
      while (from <= to) {
        this.stats.requests++;
        const response = await requester.replay({
          topic: range.topic,
          epoch: bigIntToInt64(range.epoch, true),
          fromSequence: bigIntToInt64(BigInt(from), true),
          toSequence: bigIntToInt64(BigInt(range.to ?? 0), true),
        });
        const firstAvailable = Number(response.firstAvailableSequence.toString());
        if (range.to === undefined && response.error === '') to = Math.min(to, Number(response.lastSequence.toString()));
        if (from > to) break;
        if (response.error !== '' || response.envelopes.length === 0) {
          this.giveUp(range, from, range.to, 'journal could not replay', { error: response.error });
          return 'settled';
        }
        if (firstAvailable > from) {
          this.giveUp(range, from, firstAvailable - 1, 'journal retention dropped messages', { lost: firstAvailable - from });
        }
        const asked = from;
        for (const bytes of response.envelopes) {
          for (const message of replayedMessages(range.topic, decodeEnvelope(bytes))) {
            await this.options.route(message);
            this.stats.recovered++;
            // Moved per message: a record that cannot be read leaves only what follows it unfetched.
            from = Math.max(from, message.sequence + 1);
          }
        }
        if (from === asked) return 'settled';
      }
      this.options.logger.info({ ...range, epoch: range.epoch.toString() }, 'recovered missed messages from the journal');
    } catch (error) {
      this.stats.failures++;
      if (error instanceof ProtocolError) {
        // An unreadable answer or journal record fails the same way every time: asking again would never end.
        this.giveUp(range, from, range.to, 'unreadable journal record', { err: error, failed: failed + 1 });
        return 'settled';
      }
      this.options.logger.error({ err: error, ...range, epoch: range.epoch.toString(), from, failed: failed + 1 }, 'replay request failed');
      // Anything else (timeout, socket, a publisher restarting) is worth asking again.
      if (range.to === undefined || from <= range.to) return this.retryLater({ ...range, from }, failed + 1, key);
    }
    return 'settled';
  }

  /**
   * Gives up sequences `from`..`to` of a range for good: counted as
   * unrecoverable, told to `onGivenUp` (completeness tracking stops waiting
   * for them, so nothing asks again) and logged. An open-ended range
   * (`to` undefined) has no known end: it is only logged.
   */
  private giveUp(range: MissingRange, from: number, to: number | undefined, message: string, detail: object = {}): void {
    if (to !== undefined && from <= to) {
      this.stats.unrecoverable += to - from + 1;
      this.options.onGivenUp?.(range, from, to);
    }
    this.options.logger.error({ ...range, epoch: range.epoch.toString(), from, ...detail }, message);
  }
}

/** The messages of a journaled envelope, shaped like live bus messages. */
function replayedMessages(topic: string, envelope: ValidEnvelope): BusMessage[] {
  const { header } = envelope;
  const source = { service: header.sourceService, instance: header.sourceInstance };
  const epoch = int64ToBigInt(header.epoch, true);
  const sendTimeNs = int64ToBigInt(header.sendTimeNs);
  return envelope.items.map((item) => ({
    topic,
    header,
    sequence: item.sequence,
    payload: item.payload,
    eventTimeNs: int64ToBigInt(item.eventTimeNs),
    initTimeNs: int64ToBigInt(item.initTimeNs),
    sendTimeNs,
    epoch,
    source,
  }));
}
