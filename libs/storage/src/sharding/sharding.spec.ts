import { StorageError } from '../errors';
import { createTestSchema, TEST_DATABASE_URL, type TestSchema } from '../testing/test-schema';
import { fnv1a32, shardOf } from './shard-key';
import { ShardLeases, type ShardLeasesOptions } from './shard-leases';
import { ensureStreamProgressTable, latestStreamProgress, loadStreamProgress, saveStreamProgress } from './stream-progress';

describe('shardOf', () => {
  it('is the published FNV-1a value, so every process and version agrees', () => {
    // Reference values of 32-bit FNV-1a.
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('spreads streams over every shard and ignores nothing of the key', () => {
    const seen = new Map<number, number>();
    for (let i = 0; i < 1600; i++) {
      const shard = shardOf({ service: 'market-data', instance: 'md-1', topic: `md.tick.SIM.S${i}` }, 16);
      seen.set(shard, (seen.get(shard) ?? 0) + 1);
    }
    expect(seen.size).toBe(16);
    for (const n of seen.values()) expect(n).toBeGreaterThan(50);
    const base = { service: 'gateway', instance: 'gw-1', topic: 'ex.order.A' };
    const shards = new Set([
      shardOf(base, 4096),
      shardOf({ ...base, instance: 'gw-2' }, 4096),
      shardOf({ ...base, service: 'gatewax' }, 4096),
      shardOf({ ...base, topic: 'ex.fill.A' }, 4096),
    ]);
    expect(shards.size).toBe(4);
  });

  it('refuses a shard count it cannot use, saying what it got', () => {
    expect(() => shardOf({ service: 's', instance: 'i', topic: 't' }, 0)).toThrow(new StorageError('expected a shard count from 1 to 4096, was 0'));
    expect(() => shardOf({ service: 's', instance: 'i', topic: 't' }, 2.5)).toThrow(StorageError);
  });
});

/** Lease workers of one describe block: a fresh schema per block, every worker stopped before the schema is dropped. */
interface LeaseWorkers {
  readonly schema: TestSchema;
  /** Workers still to stop at the end; a spec that stops one itself takes it out. */
  readonly running: ShardLeases[];
  /** A lease holder on 8 shards in the block's schema that logs what it is told into `events`; rebalanced by hand. */
  worker(id: string, events: string[], onGained?: ShardLeasesOptions['onGained']): ShardLeases;
}

function useLeaseWorkers(): LeaseWorkers {
  let current: TestSchema | undefined;
  const running: ShardLeases[] = [];
  beforeAll(async () => {
    current = await createTestSchema();
  });
  afterAll(async () => {
    await Promise.all(running.map((l) => l.stop()));
    await current?.drop();
  });
  const schemaOf = (): TestSchema => {
    if (current === undefined) throw new Error('expected the lease schema to be created in beforeAll, found none');
    return current;
  };
  return {
    get schema() {
      return schemaOf();
    },
    running,
    worker(id, events, onGained = (shards) => void events.push(`${id} gained ${shards.length}`)) {
      const schema = schemaOf();
      const leases = new ShardLeases({
        connection: { connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema.name}`, application_name: `lease-${schema.name}-${id}` },
        shardCount: 8,
        workerId: id,
        rebalanceIntervalMs: 60_000,
        onGained,
        beforeRelease: async (shards) => void events.push(`${id} flushed ${shards.length}`),
        onLost: (shards) => void events.push(`${id} lost ${shards.length}`),
      });
      running.push(leases);
      return leases;
    },
  };
}

describe('ShardLeases against PostgreSQL', () => {
  const { running, worker } = useLeaseWorkers();

  async function settle(workers: readonly ShardLeases[]): Promise<void> {
    // Two rounds: surplus is released in the first, claimed by the others in the second.
    for (let round = 0; round < 3; round++) for (const w of workers) await w.rebalance();
  }

  it('gives one worker every shard, splits them fairly between three, and hands a dead worker’s shards to the others', async () => {
    const events: string[] = [];
    const a = worker('a', events);
    await a.start();
    expect(a.heldShards()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    const b = worker('b', events);
    const c = worker('c', events);
    await b.start();
    await c.start();
    await settle([a, b, c]);
    const shares = [a, b, c].map((w) => w.heldShards());
    expect(shares.map((s) => s.length).sort()).toEqual([2, 3, 3]);
    expect(shares.flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // A shard is given up only after its buffered rows were stored.
    expect(events).toContain('a flushed 5');
    expect(a.stats.liveWorkers).toBe(3);

    await b.stop();
    running.splice(running.indexOf(b), 1);
    await settle([a, c]);
    expect([a, c].map((w) => w.heldShards().length)).toEqual([4, 4]);
    expect([...a.heldShards(), ...c.heldShards()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  }, 20_000);
});

describe('ShardLeases when the lock connection breaks', () => {
  const workers = useLeaseWorkers();
  const { running, worker } = workers;

  async function terminate(id: string): Promise<void> {
    await workers.schema.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`lease-${workers.schema.name}-${id}`]);
  }

  it('keeps its shards provisionally, and takes them back once reconnected', async () => {
    const events: string[] = [];
    const a = worker('a', events);
    await a.start();
    await terminate('a');
    await a.rebalance(); // notices the loss
    expect(a.stats.connectionLosses).toBe(1);
    expect(a.heldShards()).toHaveLength(8);
    await a.rebalance(); // reconnects and re-takes
    expect(a.heldShards()).toHaveLength(8);
    const locks = await workers.schema.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND a.application_name = $1`,
      [`lease-${workers.schema.name}-a`],
    );
    expect(Number(locks.rows[0]?.n)).toBe(9); // 8 shards and the membership
    expect(events).not.toContain('a lost 8');
    await a.stop();
    running.splice(running.indexOf(a), 1);
  });

  it('asks again at the next rebalance for shards whose catch-up failed, until it succeeds', async () => {
    const events: string[] = [];
    let failures = 2;
    const a = worker('a3', events, (shards) => {
      if (failures-- > 0) throw new Error('database briefly unreadable');
      events.push(`a3 gained ${[...shards].sort((x, y) => x - y).join(',')}`);
    });
    await a.start(); // claims all 8; the catch-up fails
    expect(a.stats).toMatchObject({ held: 8, gainPending: 8 });
    await a.rebalance(); // fails again
    expect(events).toEqual([]);
    await a.rebalance();
    expect(events).toEqual(['a3 gained 0,1,2,3,4,5,6,7']);
    expect(a.stats.gainPending).toBe(0);
    await a.rebalance();
    expect(events).toHaveLength(1); // asked once it worked
    await a.stop();
    running.splice(running.indexOf(a), 1);
  });

  it('gives up the shards another worker claimed while it was cut off', async () => {
    const events: string[] = [];
    const a = worker('a2', events);
    const b = worker('b2', events);
    await a.start();
    await b.start(); // nothing free yet
    await terminate('a2');
    await a.rebalance(); // lost; a2's locks are gone on the server
    await b.rebalance(); // alone now: claims all 8
    expect(b.heldShards()).toHaveLength(8);
    await a.rebalance(); // back, but its shards are b2's
    expect(events).toContain('a2 lost 8');
    expect(a.heldShards()).toEqual([]);
    for (let round = 0; round < 3; round++) {
      await a.rebalance();
      await b.rebalance();
    }
    expect([a.heldShards().length, b.heldShards().length]).toEqual([4, 4]);
  });
});

describe('stream progress', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema();
    await ensureStreamProgressTable(schema.pool);
    await ensureStreamProgressTable(schema.pool);
  });
  afterAll(() => schema.drop());

  it('keeps the highest sequence per stream and run, and lists the newest run of each stream', async () => {
    const stream = { service: 'market-data', instance: 'md-1', topic: 'md.tick.SIM.ACME' };
    expect(await loadStreamProgress(schema.pool, { ...stream, epoch: 5n })).toBe(0);
    await saveStreamProgress(schema.pool, [{ ...stream, epoch: 5n, seq: 40 }]);
    await saveStreamProgress(schema.pool, [{ ...stream, epoch: 5n, seq: 30 }]);
    expect(await loadStreamProgress(schema.pool, { ...stream, epoch: 5n })).toBe(40);
    await saveStreamProgress(schema.pool, [
      { ...stream, epoch: 1_763_000_000_000_000_123n, seq: 7 },
      { ...stream, topic: 'md.tick.SIM.BTC', epoch: 5n, seq: 3 },
    ]);
    expect(await latestStreamProgress(schema.pool)).toEqual([
      { ...stream, epoch: 1_763_000_000_000_000_123n, seq: 7 },
      { ...stream, topic: 'md.tick.SIM.BTC', epoch: 5n, seq: 3 },
    ]);
  });
});
