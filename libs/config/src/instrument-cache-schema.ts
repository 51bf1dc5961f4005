import type convict from 'convict';

/** Where a service caches venue reference data (IB contract details), under `instrumentCache`. */
export interface InstrumentCacheConfig {
  /** PostgreSQL URL of the `instruments` table; only from the environment (`DATABASE_URL`). Empty: no cache. */
  databaseUrl: string;
}

/**
 * The `instrumentCache` section of the services that load instruments from a
 * venue (gateway, market-data). With `DATABASE_URL` set they keep each
 * contract in storage's `instruments` table, so a restart does not ask the
 * venue again and what a venue stopped listing stays explainable.
 */
export const instrumentCacheSchema: convict.Schema<InstrumentCacheConfig> = {
  databaseUrl: {
    doc: 'PostgreSQL URL of the instrument cache (the instruments table persistence migrates); empty: no cache.',
    format: 'secret',
    sensitive: true,
    env: 'DATABASE_URL',
    default: '',
  },
};
