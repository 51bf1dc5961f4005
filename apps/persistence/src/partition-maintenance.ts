import type { Logger } from '@ttquant/logging';
import { maintainPartitions, type TimeSeriesTableName } from '@ttquant/storage';
import type { Pool } from 'pg';

/**
 * Creates daily partitions ahead and drops expired ones on a timer (plain
 * PostgreSQL only: TimescaleDB runs its own policies). One run at a time;
 * {@link stop} waits for a run in progress.
 */
export class PartitionMaintenance {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: Pool,
    private readonly retentionDays: Partial<Record<TimeSeriesTableName, number>>,
    private readonly logger: Pick<Logger, 'info' | 'error'>,
  ) {}

  /** Runs every `intervalMs`. */
  start(intervalMs: number): void {
    this.timer ??= setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
  }

  /** One run now (after any run in progress); failures are logged, never thrown. */
  runOnce(): Promise<void> {
    this.running = this.running.then(() =>
      maintainPartitions(this.pool, { retentionDays: this.retentionDays }).then(
        (done) => this.logger.info({ created: done.created, dropped: done.dropped }, 'partitions maintained'),
        (error: unknown) => this.logger.error({ err: error }, 'partition maintenance failed'),
      ),
    );
    return this.running;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
