import { Client, type ClientConfig } from 'pg';
import { StorageError } from '../errors';
import { silentLogger, type StorageLogger } from '../logger';
import { errorMessage } from '../writers/pg-errors';
import { assertShardCount, fnv1a32 } from './shard-key';

/** Settings of {@link ShardLeases}. */
export interface ShardLeasesOptions {
  /** The dedicated connection that holds the locks for the worker's life (never a pooled one). */
  readonly connection: ClientConfig;
  /** Shards of the topic space; every worker must use the same number. */
  readonly shardCount: number;
  /** This worker's name, for logs. */
  readonly workerId: string;
  /** How often membership is checked and shards claimed or released (default 1 s). */
  readonly rebalanceIntervalMs?: number;
  /**
   * Called with shards just claimed; the worker catches up on them. A failure
   * (say the database was briefly unreadable) is logged and the call is made
   * again for those shards at every rebalance until it succeeds: their
   * streams may run on without a gap, so nothing else would fetch what they missed.
   */
  readonly onGained: (shards: readonly number[]) => void | Promise<void>;
  /**
   * Called before shards are given up for a fair share: stop taking their
   * messages and store what is buffered for them; the locks are released
   * once this resolves.
   */
  readonly beforeRelease: (shards: readonly number[]) => Promise<void>;
  /** Called with shards that another worker took while this one was cut off from the database. */
  readonly onLost?: (shards: readonly number[]) => void;
  readonly logger?: StorageLogger;
}

/** Counters of {@link ShardLeases}. */
export interface ShardLeaseStats {
  /** Shards held now. */
  readonly held: number;
  /** Workers holding a membership lock at the last check (this one included). */
  readonly liveWorkers: number;
  /** Shards claimed since start. */
  readonly claimed: number;
  /** Shards released for a fair share since start. */
  readonly released: number;
  /** Times the lock connection was lost. */
  readonly connectionLosses: number;
  /** Shards held whose `onGained` has not succeeded yet. */
  readonly gainPending: number;
}

/** Longest a lock query may take before the connection is treated as lost. */
const QUERY_TIMEOUT_MS = 5_000;

/**
 * Splits shards of the topic space between persistence workers with
 * PostgreSQL session-level advisory locks, so identical replicas share the
 * load without any configuration of their own.
 *
 * - Each worker holds one membership lock; the number of sessions holding
 *   one (from `pg_locks`) is the number of live workers.
 * - Each worker aims at ceil(shards / live workers) shard locks: it claims
 *   free shards with `pg_try_advisory_lock` and releases its surplus
 *   (after `beforeRelease`) with `pg_advisory_unlock`.
 * - A worker that dies closes its connection: PostgreSQL drops its locks,
 *   and the survivors claim the orphaned shards at their next rebalance.
 * - The lock keys are derived from the schema (`current_schema()`), so two
 *   deployments in different schemas of one database do not interfere.
 *
 * When the lock connection breaks, the worker keeps its shards provisionally
 * (storing is idempotent, so overlap with another worker costs only work),
 * reconnects, and re-takes them; shards taken meanwhile go to `onLost`.
 *
 * @example
 * const leases = new ShardLeases({ connection: { connectionString: url }, shardCount: 16, workerId, onGained, beforeRelease });
 * await leases.start();
 * if (leases.holds(shardOf(stream, 16))) store(message);
 */
export class ShardLeases {
  private client: Client | undefined;
  private readonly held = new Set<number>();
  /** Held shards whose onGained failed: asked again at each rebalance. */
  private readonly gainPending = new Set<number>();
  private memberNs = 0;
  private shardNs = 0;
  private databaseOid = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private counters = { liveWorkers: 0, claimed: 0, released: 0, connectionLosses: 0 };
  private readonly logger: StorageLogger;
  private readonly firstShard: number;

  constructor(private readonly options: ShardLeasesOptions) {
    assertShardCount(options.shardCount);
    this.logger = options.logger ?? silentLogger;
    // Workers start their claims at different shards, so two newcomers rarely race for the same one.
    this.firstShard = fnv1a32(`${options.workerId}:${process.pid}:${Math.random()}`) % options.shardCount;
  }

  /** Connects, joins, claims a first share; then rebalances every interval. */
  async start(): Promise<void> {
    await this.connect();
    await this.rebalance();
    this.timer = setInterval(() => void this.rebalance(), this.options.rebalanceIntervalMs ?? 1_000);
    this.timer.unref();
  }

  /** True when this worker holds the shard (or holds it provisionally while reconnecting). */
  holds(shard: number): boolean {
    return this.held.has(shard);
  }

  /** The shards held, ascending. */
  heldShards(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** Counters so far. */
  get stats(): ShardLeaseStats {
    return { ...this.counters, held: this.held.size, gainPending: this.gainPending.size };
  }

  /**
   * Checks membership and moves towards a fair share once; runs one at a
   * time (a call while one runs waits for it). Never throws: a failure marks
   * the connection lost and the next run reconnects.
   */
  rebalance(): Promise<void> {
    this.running ??= this.rebalanceOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops rebalancing and closes the connection, which releases every lock. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    const client = this.client;
    this.client = undefined;
    this.held.clear();
    this.gainPending.clear();
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ ...this.options.connection, query_timeout: QUERY_TIMEOUT_MS, keepAlive: true });
    // A broken connection surfaces as the next query's failure; this only keeps the error from being unhandled.
    client.on('error', (error) => this.logger.warn({ error: errorMessage(error) }, 'shard lock connection failed'));
    try {
      await client.connect();
      const identity = await client.query<{ schema: string; oid: string }>(
        'SELECT current_schema() AS schema, oid::text AS oid FROM pg_database WHERE datname = current_database()',
      );
      const row = identity.rows[0];
      if (!row) throw new StorageError('expected the current database in pg_database, found no row');
      this.memberNs = positiveKey(`ttq-persistence-workers:${row.schema}`);
      this.shardNs = positiveKey(`ttq-persistence-shards:${row.schema}`);
      this.databaseOid = Number(row.oid);
      await this.join(client);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  /** Takes a membership lock under a random key (replicas share their configuration, so no name is unique). */
  private async join(client: Client): Promise<void> {
    for (let attempt = 0; attempt < 16; attempt++) {
      const key = Math.floor(Math.random() * 0x7fffffff);
      const taken = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int4, $2::int4) AS ok', [this.memberNs, key]);
      if (taken.rows[0]?.ok) return;
    }
    throw new StorageError('expected to take a free membership lock, found 16 random keys taken');
  }

  private async rebalanceOnce(): Promise<void> {
    if (this.stopped) return;
    if (!this.client) {
      try {
        await this.connect();
        await this.retake();
      } catch (error) {
        this.logger.warn({ error: errorMessage(error), held: this.held.size }, 'shard lock connection not back yet; keeping shards provisionally');
        return;
      }
    }
    const client = this.client as Client;
    // Shards whose catch-up failed before this round: the ones claimed in it were just tried.
    const pending = [...this.gainPending];
    try {
      const live = await this.liveWorkers(client);
      this.counters.liveWorkers = live;
      const target = Math.ceil(this.options.shardCount / Math.max(1, live));
      if (this.held.size > target) await this.release(client, this.surplus(this.held.size - target));
      else if (this.held.size < target) await this.claim(client, target);
      if (pending.length > 0) await this.gained(pending.filter((shard) => this.held.has(shard)));
    } catch (error) {
      await this.lost(client, error);
    }
  }

  private async liveWorkers(client: Client): Promise<number> {
    const result = await client.query<{ n: string }>(
      `SELECT count(DISTINCT pid) AS n FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND database = $1::oid AND classid = $2::oid AND objsubid = 2`,
      [this.databaseOid, this.memberNs],
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  private async claim(client: Client, target: number): Promise<void> {
    const taken = await client.query<{ shard: string }>(
      `SELECT objid::text AS shard FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND database = $1::oid AND classid = $2::oid AND objsubid = 2`,
      [this.databaseOid, this.shardNs],
    );
    const busy = new Set(taken.rows.map((row) => Number(row.shard)));
    const gained: number[] = [];
    const count = this.options.shardCount;
    for (let i = 0; i < count && this.held.size < target; i++) {
      const shard = (this.firstShard + i) % count;
      if (this.held.has(shard) || busy.has(shard)) continue;
      const result = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int4, $2::int4) AS ok', [this.shardNs, shard]);
      if (!result.rows[0]?.ok) continue;
      this.held.add(shard);
      gained.push(shard);
    }
    if (gained.length === 0) return;
    this.counters.claimed += gained.length;
    this.logger.info({ worker: this.options.workerId, gained, held: this.held.size, target }, 'claimed shards');
    await this.gained(gained);
  }

  /** Tells the worker about gained shards; on failure they stay pending, for the next rebalance. */
  private async gained(shards: readonly number[]): Promise<void> {
    for (const shard of this.gainPending) if (!this.held.has(shard)) this.gainPending.delete(shard);
    if (shards.length === 0) return;
    try {
      await this.options.onGained(shards);
      for (const shard of shards) this.gainPending.delete(shard);
    } catch (error) {
      for (const shard of shards) this.gainPending.add(shard);
      this.logger.error({ error: errorMessage(error), shards }, 'onGained failed: asking again at the next rebalance');
    }
  }

  /** The shards to give up: the ones furthest from where this worker starts claiming. */
  private surplus(count: number): number[] {
    const order = (shard: number) => (shard - this.firstShard + this.options.shardCount) % this.options.shardCount;
    return [...this.held].sort((a, b) => order(b) - order(a)).slice(0, count);
  }

  private async release(client: Client, shards: readonly number[]): Promise<void> {
    // What was buffered for these shards is stored before another worker may start from the database's state.
    try {
      await this.options.beforeRelease(shards);
    } catch (error) {
      this.logger.warn({ error: errorMessage(error), shards }, 'buffered rows of surplus shards not stored yet; keeping them');
      return;
    }
    for (const shard of shards) {
      await client.query('SELECT pg_advisory_unlock($1::int4, $2::int4)', [this.shardNs, shard]);
      this.held.delete(shard);
      this.gainPending.delete(shard);
    }
    this.counters.released += shards.length;
    this.logger.info({ worker: this.options.workerId, released: shards, held: this.held.size }, 'released shards for a fair share');
  }

  /** After a reconnect: takes back what was held; shards another worker took are lost. */
  private async retake(): Promise<void> {
    const client = this.client as Client;
    const lost: number[] = [];
    for (const shard of [...this.held]) {
      const result = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int4, $2::int4) AS ok', [this.shardNs, shard]);
      if (result.rows[0]?.ok) continue;
      this.held.delete(shard);
      this.gainPending.delete(shard);
      lost.push(shard);
    }
    this.logger.info({ worker: this.options.workerId, held: this.held.size, lost }, 'shard lock connection back');
    if (lost.length > 0) this.options.onLost?.(lost);
  }

  private async lost(client: Client, error: unknown): Promise<void> {
    this.counters.connectionLosses++;
    this.logger.warn({ error: errorMessage(error), held: this.held.size }, 'shard lock connection lost; keeping shards provisionally');
    if (this.client === client) this.client = undefined;
    await client.end().catch(() => undefined);
  }

}

/** A lock namespace key from a name: a positive int4, so it reads the same in pg_locks' unsigned columns. */
function positiveKey(name: string): number {
  return fnv1a32(name) & 0x7fffffff;
}
