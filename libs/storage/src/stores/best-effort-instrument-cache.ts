import type { Instrument, InstrumentId, UnixNanos } from '@ttquant/domain';
import { Pool } from 'pg';
import { silentLogger, type StorageLogger } from '../logger';
import { guardPool } from '../pool-guard';
import { PgInstrumentCache, type StoredInstrument } from './instrument-cache';

/**
 * The instrument cache as a service uses it: an optimisation that must never
 * stop trading. A database that is down, or not migrated yet, makes a lookup
 * miss and a write a no-op, each with a warning; the venue is asked instead.
 */
export class BestEffortInstrumentCache {
  private warnedAt = 0;

  constructor(
    private readonly cache: Pick<PgInstrumentCache, 'get' | 'put' | 'list'>,
    private readonly logger: StorageLogger = silentLogger,
    /** Least time between two warnings, so an outage does not flood the log. */
    private readonly warnEveryMs = 60_000,
  ) {}

  async get(id: InstrumentId): Promise<StoredInstrument | undefined> {
    try {
      return await this.cache.get(id);
    } catch (error) {
      this.warn('read', error);
      return undefined;
    }
  }

  async put(instrument: Instrument, seenAt: UnixNanos, raw?: unknown): Promise<void> {
    try {
      await this.cache.put(instrument, seenAt, raw);
    } catch (error) {
      this.warn('write', error);
    }
  }

  async list(venue?: string): Promise<StoredInstrument[]> {
    try {
      return await this.cache.list(venue);
    } catch (error) {
      this.warn('list', error);
      return [];
    }
  }

  private warn(what: string, error: unknown): void {
    const now = Date.now();
    if (now - this.warnedAt < this.warnEveryMs) return;
    this.warnedAt = now;
    this.logger.warn({ error: (error as Error).message }, `instrument cache unavailable (${what}): asking the venue instead`);
  }
}

/** An instrument cache on its own small pool; `close` ends the pool. */
export interface OpenedInstrumentCache {
  readonly cache: BestEffortInstrumentCache;
  close(): Promise<void>;
}

/**
 * Opens the instrument cache of the database at `url` without connecting yet
 * (the first lookup does): a service starts even while its database is down.
 */
export function openInstrumentCache(url: string, logger: StorageLogger = silentLogger, applicationName = 'ttquant-instrument-cache'): OpenedInstrumentCache {
  const pool = new Pool({ connectionString: url, max: 1, application_name: applicationName, connectionTimeoutMillis: 5_000 });
  // A broken connection, idle or in use, must not crash the service: without listeners pg would.
  guardPool(pool, (err) => logger.warn({ error: err.message }, 'instrument cache connection failed'));
  return { cache: new BestEffortInstrumentCache(new PgInstrumentCache(pool), logger), close: () => pool.end() };
}
