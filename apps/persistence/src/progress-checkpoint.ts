import type { StreamProgress } from '@ttquant/storage';
import type { StreamLedger } from './stream-ledger';

/** What a {@link ProgressCheckpoint} needs. */
export interface ProgressCheckpointOptions {
  readonly ledger: StreamLedger;
  /** Resolves once every row handed to the writers so far is stored (or parked). */
  readonly flush: () => Promise<void>;
  /** Writes progress entries (`saveStreamProgress`). */
  readonly save: (entries: readonly StreamProgress[]) => Promise<void>;
  readonly intervalMs: number;
  readonly logger: { warn(o: object, m: string): void };
}

/**
 * Records how far each stream is stored: takes the ledger's unbroken
 * prefixes, waits until the writers have stored everything handed to them
 * before that moment, and only then writes the prefixes. The recorded value
 * may lag the data, never lead it, so a worker that starts from it after a
 * crash asks the journal for a little too much rather than too little.
 */
export class ProgressCheckpoint {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  private saves = 0;
  private failures = 0;

  constructor(private readonly options: ProgressCheckpointOptions) {}

  /** Checkpoints every interval. */
  start(): void {
    this.timer ??= setInterval(() => void this.run(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer (a checkpoint in progress finishes). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Checkpoints now, after any checkpoint already running; resolves false when it failed. */
  run(): Promise<boolean> {
    const previous = this.running ?? Promise.resolve(true);
    const next = previous.then(() => this.once());
    this.running = next;
    void next.finally(() => {
      if (this.running === next) this.running = undefined;
    });
    return next;
  }

  /** Checkpoints written and failed so far. */
  get stats(): { readonly saves: number; readonly failures: number } {
    return { saves: this.saves, failures: this.failures };
  }

  private async once(): Promise<boolean> {
    const entries = this.options.ledger.unsaved();
    if (entries.length === 0) return true;
    try {
      await this.options.flush();
      await this.options.save(entries);
      this.options.ledger.markSaved(entries);
      this.saves++;
      return true;
    } catch (error) {
      this.failures++;
      this.options.logger.warn({ err: error, streams: entries.length }, 'stream progress not recorded; next checkpoint retries');
      return false;
    }
  }
}
