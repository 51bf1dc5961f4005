import type { IbBarRequest } from '../history-source';
import {
  earliestSendTime,
  IB_PACING_RULES,
  pacingKey,
  pacingMemoryMs,
  validatePacingRules,
  type PacedSend,
  type PacingRules,
} from './pacing-rules';
import type { HistoryClock, Sleep } from './history-timing';
import type { PacingJournal } from './pacing-journal';

/** Options of a {@link HistoryPacer}. */
export interface HistoryPacerOptions {
  readonly clock: HistoryClock;
  readonly sleep: Sleep;
  /** Overrides of IB's limits (tests, or a safety margin for a real gateway). */
  readonly rules?: Partial<PacingRules>;
  /** Told before every wait, so a progress display can say why nothing moves. */
  readonly onWait?: (waitMs: number, request: IbBarRequest) => void;
  /**
   * Releases of earlier pacers (processes), and where this one records its
   * own: a backfill resumed after a crash then keeps within the limits IB
   * still counts. Without one, see `coldStart`.
   */
  readonly journal?: PacingJournal;
  /**
   * What a pacer without a journal assumes about the ten minutes before it
   * started. `assume-full` (safe after a crash of an earlier backfill on the same
   * gateway: no request goes out until a whole window has passed) or `empty`
   * (the default, right when nothing else asked IB for history lately).
   */
  readonly coldStart?: 'empty' | 'assume-full';
}

/** Counters of a {@link HistoryPacer}. */
export interface HistoryPacerStats {
  /** Requests released. */
  readonly released: number;
  /** Requests that had to wait at least once. */
  readonly delayed: number;
  /** Total time spent waiting, in milliseconds of the pacer's clock. */
  readonly waitedMs: number;
}

/**
 * Releases historical-data requests no faster than IB's pacing rules allow,
 * by waiting before sending rather than retrying after a 162.
 *
 * Requests are released one at a time in the order {@link acquire} was
 * called: a caller that must not be overtaken (a resumed backfill's order) is
 * not. Every released request counts against the limits, whether or not it
 * succeeds afterwards, because IB counts what it received.
 *
 * @example
 * const pacer = new HistoryPacer({ clock: systemHistoryClock, sleep: realSleep, rules: { marginMs: 1000 } });
 * await pacer.acquire(request);
 * const bars = await source.requestBars(request);
 */
export class HistoryPacer {
  private readonly rules: PacingRules;
  private readonly memoryMs: number;
  private sent: PacedSend[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private released = 0;
  private delayed = 0;
  private waitedMs = 0;

  constructor(private readonly options: HistoryPacerOptions) {
    this.rules = validatePacingRules({ ...IB_PACING_RULES, ...options.rules });
    this.memoryMs = pacingMemoryMs(this.rules);
    const now = options.clock.now();
    if (options.journal) {
      this.sent = [...options.journal.load(now - this.memoryMs)].sort((a, b) => a.atMs - b.atMs);
    } else if (options.coldStart === 'assume-full') {
      // Unknown sends count only against the overall limit: they match no real request.
      for (let i = 0; i < this.rules.globalMax; i++) this.sent.push({ identity: `unknown#${i}`, burstKey: `unknown#${i}`, atMs: now });
    }
  }

  /**
   * Waits until `request` may be sent and records it as sent now.
   * Resolves with the release time (the clock's epoch milliseconds).
   * @throws the sleep's abort error when `signal` aborts while waiting; the
   *   request is then not recorded and must not be sent
   */
  acquire(request: IbBarRequest, signal?: AbortSignal): Promise<number> {
    const turn = this.tail.then(() => this.waitForSlot(request, signal));
    // A caller that gave up must not block the ones queued behind it.
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** The limits in force. */
  get activeRules(): PacingRules {
    return this.rules;
  }

  /** What the pacer did so far. */
  stats(): HistoryPacerStats {
    return { released: this.released, delayed: this.delayed, waitedMs: this.waitedMs };
  }

  private async waitForSlot(request: IbBarRequest, signal: AbortSignal | undefined): Promise<number> {
    const key = pacingKey(request);
    let waited = false;
    for (;;) {
      signal?.throwIfAborted();
      const now = this.options.clock.now();
      this.forget(now);
      const at = earliestSendTime(this.sent, key, now, this.rules);
      if (at <= now) {
        const send: PacedSend = { ...key, atMs: now };
        this.options.journal?.record(send);
        this.sent.push(send);
        this.released++;
        if (waited) this.delayed++;
        return now;
      }
      waited = true;
      this.options.onWait?.(at - now, request);
      await this.options.sleep(at - now, signal);
      // Real timers may wake a little early or late: the loop measures again.
      this.waitedMs += Math.max(0, this.options.clock.now() - now);
    }
  }

  private forget(now: number): void {
    const horizon = now - this.memoryMs;
    if (this.sent.length > 0 && (this.sent[0] as PacedSend).atMs < horizon) {
      this.sent = this.sent.filter((send) => send.atMs >= horizon);
    }
  }
}
