import type { IbBackoffConfig } from '../config';

/**
 * Reconnect delays: `initial × 2^attempt`, capped at `max`, each moved by up to
 * ±`jitter` of itself so a fleet of clients does not hammer a restarted
 * gateway in step. `reset()` after a successful connection.
 *
 * @example
 * const backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 15_000, jitter: 0.2 });
 * backoff.next(); // ~500, then ~1000, ~2000 ... ~15000
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly config: IbBackoffConfig,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt, in ms; counts the attempt. */
  next(): number {
    const base = Math.min(this.config.maxDelayMs, this.config.initialDelayMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    const spread = base * this.config.jitter;
    return Math.max(0, Math.round(base - spread + 2 * spread * this.random()));
  }

  /** Attempts counted since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** Starts again from the initial delay. */
  reset(): void {
    this.attempt = 0;
  }
}
