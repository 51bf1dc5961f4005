import { countStored, realizedPnlFromStoredFills, type StoredCounts } from '@ttquant/storage';
import { Client, Pool } from 'pg';
import { withDatabase } from '../database-url';

/** Prefix of the databases the launcher creates, one per run. */
export const SIM_DATABASE_PREFIX = 'ttq_sim_';

/** How many run databases are kept on the server (the newest), so a past run can still be inspected. */
export const SIM_DATABASES_KEPT = 3;

const DATABASE_NAME = /^ttq_sim_[a-z0-9_]{1,50}$/;

/** The database name of a run id (`20250301-120000-ab12` → `ttq_sim_20250301_120000_ab12`). */
export function simDatabaseName(runId: string): string {
  const name = `${SIM_DATABASE_PREFIX}${runId.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
  if (!DATABASE_NAME.test(name)) throw new Error(`expected a run id of letters, digits and dashes, was ${JSON.stringify(runId)}`);
  return name;
}

/** A run's own database, created on the server. */
export interface RunDatabase {
  readonly name: string;
  /** Connection URL of the run's database (with the server's credentials). */
  readonly url: string;
  /** Older run databases dropped to keep {@link SIM_DATABASES_KEPT}. */
  readonly dropped: readonly string[];
  /** Older run databases that could not be dropped (in use), with the reason. */
  readonly kept: readonly string[];
}

/**
 * Creates the run's database on the server at `serverUrl` and drops older run
 * databases beyond the newest `keep` (skipping any still in use). Every run
 * stores into a fresh database, so the summary's row counts are this run's
 * alone, and the database can be dropped as a whole.
 */
export async function createRunDatabase(serverUrl: string, runId: string, keep = SIM_DATABASES_KEPT): Promise<RunDatabase> {
  const name = simDatabaseName(runId);
  const admin = new Client({ connectionString: serverUrl, application_name: 'ttq-sim' });
  await admin.connect();
  const dropped: string[] = [];
  const kept: string[] = [];
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const existing = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'ttq\\_sim\\_%'`);
    for (const datname of databasesToDrop(existing.rows.map((row) => row.datname), name, keep)) {
      try {
        await admin.query(`DROP DATABASE ${datname}`);
        dropped.push(datname);
      } catch (error) {
        kept.push(`${datname} (${(error as Error).message})`);
      }
    }
  } finally {
    await admin.end();
  }
  return { name, url: withDatabase(serverUrl, name), dropped, kept };
}

/**
 * The run databases to drop so that the newest `keep` remain, the current one
 * among them. Run names start with their UTC start time, so they sort by age.
 */
export function databasesToDrop(existing: readonly string[], current: string, keep: number): string[] {
  return existing
    .filter((name) => name !== current && DATABASE_NAME.test(name))
    .sort()
    .reverse()
    .slice(Math.max(0, keep - 1));
}

/** Drops one run database (tests clean up after themselves with it). */
export async function dropRunDatabase(serverUrl: string, name: string): Promise<void> {
  if (!DATABASE_NAME.test(name)) throw new Error(`expected a run database name ttq_sim_…, was ${JSON.stringify(name)}`);
  const admin = new Client({ connectionString: serverUrl, application_name: 'ttq-sim' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  } finally {
    await admin.end();
  }
}

/** What the run left in its database. */
export interface StoredRun {
  readonly counts: StoredCounts;
  /** Realised PnL recomputed from the stored fills alone, by currency (exact decimal text). */
  readonly realizedPnlFromStoredFills: ReadonlyMap<string, string>;
}

/** Reads the run's row counts and the PnL of its stored fills (libs/storage readers). */
export async function readStoredRun(url: string, account: string): Promise<StoredRun> {
  const pool = new Pool({ connectionString: url, max: 1, application_name: 'ttq-sim' });
  // The embedded server stops right after this; a notice reaching a connection still closing must not crash the launcher.
  pool.on('error', () => undefined);
  try {
    const counts = await countStored(pool);
    const pnl = await realizedPnlFromStoredFills(pool, { account });
    return { counts, realizedPnlFromStoredFills: pnl };
  } finally {
    await pool.end();
  }
}
