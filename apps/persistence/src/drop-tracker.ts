import type { Logger } from '@ttquant/logging';

/** Warnings logged per reason before only every {@link LOG_EVERY}th is. */
const LOG_FIRST = 10;
const LOG_EVERY = 1_000;

/**
 * Counts messages dropped as malformed, by reason (frame-level reasons from
 * the bus reader, `payload` and `unstorable` from the store router), and logs
 * them without letting a flood of garbage flood the log too.
 */
export class DropTracker {
  private readonly counts = new Map<string, number>();

  constructor(private readonly logger: Pick<Logger, 'warn'>) {}

  /** Counts one dropped message. */
  record(reason: string, detail: string, topic: string | undefined): void {
    const count = (this.counts.get(reason) ?? 0) + 1;
    this.counts.set(reason, count);
    if (count <= LOG_FIRST || count % LOG_EVERY === 0) {
      this.logger.warn({ reason, detail, topic, dropped: count }, 'malformed message dropped');
    }
  }

  /** Drops so far by reason. */
  byReason(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.counts);
  }

  /** Drops so far, all reasons. */
  get total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }
}
