import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, Publisher, Subscriber, topics, type Topic } from '@ttquant/bus';
import { systemClock, type QuoteTick } from '@ttquant/domain';
import { encodePayload } from '@ttquant/protocol';
import { cpuShares, processCpuSeconds, ServiceProcess, type ServiceApp } from '@ttquant/testing';
import type { Pool } from 'pg';
import type { BenchSchema } from './bench-database';
import { makeQuotes, BENCH_INSTRUMENTS } from './bench-quotes';
import { truncateQuotes } from './copy-rounds';

/*
 * End to end: quotes published on the bus the way market data publishes them
 * (libs/bus Publisher, same-topic batches of up to 64 closed at the end of each
 * event-loop turn) → the hub (XSUB/XPUB) → a real persistence process (its
 * built bundle) → quote_ticks. Timed from the first publish until the last
 * quote of every stream is in the table, then the stored count is checked.
 */

/** What one end-to-end round measured. */
export interface EndToEndRoundResult {
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** Seconds the publisher took to hand every quote to zeromq. */
  readonly publishSeconds: number;
  /** Percent of one CPU used during the round by persistence, the hub, and persistence's PostgreSQL backends. */
  readonly cpu: { readonly persistence: number; readonly hub: number; readonly postgres: number };
}

const INSTANCE = 'storage-bench';
/** The publisher plays market data; persistence has no journal to ask it for replay here. */
const SOURCE_SERVICE = 'market-data';
const PUBLISH_CHUNK = 1024;
const POLL_MS = 20;
const toml = (value: string | number) => JSON.stringify(value);

/** The hub and one persistence worker, writing into the bench schema. */
export class PersistenceStack {
  private constructor(
    private readonly dir: string,
    readonly hub: ServiceProcess,
    readonly persistence: ServiceProcess,
    readonly xsub: string,
    readonly xpub: string,
  ) {}

  /**
   * Starts both from their bundles with config files written for them;
   * persistence stores `batchRows` rows per COPY and is ready once its
   * subscriptions have reached the hub. With `cpuProfileDir`, persistence
   * writes a V8 CPU profile there when it stops.
   */
  static async start(schema: BenchSchema, batchRows: number, cpuProfileDir?: string): Promise<PersistenceStack> {
    const dir = mkdtempSync(join(tmpdir(), 'ttq-storage-bench-'));
    const [front, back, hubHttp, persistenceHttp] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
    const xsub = `tcp://127.0.0.1:${front}`;
    const xpub = `tcp://127.0.0.1:${back}`;
    const bus = `[bus]\nxsubEndpoint = ${toml(xsub)}\nxpubEndpoint = ${toml(xpub)}\n`;
    const start = (app: ServiceApp, httpPort: number, sections: string, env: Record<string, string> = {}, nodeArgs: string[] = []) => {
      const file = join(dir, `${app}.toml`);
      writeFileSync(file, `[service]\ninstance = ${toml(INSTANCE)}\nhttpPort = ${httpPort}\nlogLevel = "warn"\n\n${sections}\n`);
      // The config file says everything: the caller's own TTQ_* settings must not leak in.
      const logFile = join(dir, `${app}.log`);
      return ServiceProcess.start({ app, cwd: dir, httpPort, args: ['--config', file], env, nodeArgs, logFile, cleanEnv: true });
    };
    const hub = await start('hub', hubHttp, `[hub]\nfrontend = ${toml(xsub)}\nbackend = ${toml(xpub)}\n`);
    try {
      const persistence = await start(
        'persistence',
        persistenceHttp,
        `${bus}\n[persistence]\nbatchRows = ${batchRows}\nparkFile = ${toml(join(dir, 'parked.jsonl'))}\n\n` +
          `[persistence.replay]\nmarketData = ""\ngateway = ""\n`,
        // The URL is a secret: persistence reads it only from the environment.
        { DATABASE_URL: schema.url },
        cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, `--cpu-prof-name=persistence-${process.pid}-${Date.now()}.cpuprofile`] : [],
      );
      return new PersistenceStack(dir, hub, persistence, xsub, xpub);
    } catch (err) {
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Peak resident set (VmHWM) of the persistence process so far, in MiB; NaN without /proc. */
  peakRssMb(): number {
    return statusKb(this.persistence.pid, 'VmHWM') / 1024;
  }

  /** Current resident set of the persistence process, in MiB. */
  rssMb(): number {
    return statusKb(this.persistence.pid, 'VmRSS') / 1024;
  }

  /**
   * Where persistence's memory is, from its /metrics (prom-client's default
   * Node metrics), in MiB: V8 heap used and total, and memory outside the heap
   * (Buffers: COPY batches, zeromq frames). NaN for what it does not report.
   */
  async memoryMb(): Promise<{ heapUsed: number; heapTotal: number; external: number }> {
    const text = await fetch(`http://127.0.0.1:${this.persistence.httpPort}/metrics`, { signal: AbortSignal.timeout(2_000) })
      .then((response) => response.text())
      .catch(() => '');
    const metric = (name: string): number => {
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
      return match ? Number(match[1]) / 2 ** 20 : Number.NaN;
    };
    return {
      heapUsed: metric('nodejs_heap_size_used_bytes'),
      heapTotal: metric('nodejs_heap_size_total_bytes'),
      external: metric('nodejs_external_memory_bytes'),
    };
  }

  /** Stops persistence (it stores what it holds), then the hub; removes the folder unless asked to keep it. */
  async stop(keepLogs = false): Promise<void> {
    const exit = await this.persistence.stop('SIGTERM', 15_000);
    await this.hub.stop();
    if (exit.code !== 0) console.error(`persistence exited with ${exit.code ?? exit.signal}:\n${this.persistence.tail()}`);
    if (!keepLogs && exit.code === 0) rmSync(this.dir, { recursive: true, force: true });
    else console.error(`persistence logs kept in ${this.dir}`);
  }
}

/**
 * CPU seconds used so far by each server process serving persistence's
 * connections: its pools name themselves `persistence/<instance>[/<role>]`
 * (the server is on this host).
 */
async function backendCpuSeconds(pool: Pool): Promise<Map<number, number>> {
  const result = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE application_name = $1 OR application_name LIKE $1 || '/%'`,
    [`persistence/${INSTANCE}`],
  );
  return new Map(result.rows.map((row) => [row.pid, processCpuSeconds(row.pid)]));
}

/**
 * CPU seconds the backends used between two readings. The pool opens and
 * closes connections: a backend new at the second reading counts from its
 * start, one gone by then is left out (it did little: it sat idle until closed).
 */
function backendCpuUsed(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let used = 0;
  for (const [pid, seconds] of after) {
    if (!Number.isNaN(seconds)) used += seconds - (before.get(pid) ?? 0);
  }
  return used;
}

/** One field (in kB) of /proc/<pid>/status. */
function statusKb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits until `publisher` reaches the hub with every subscription forwarded
 * to it: a probe topic the bench itself subscribes to comes back. The hub
 * hands a new publisher all subscriptions at once, persistence's among them
 * (it is ready only once its own arrived at the hub), so no quote is lost to
 * a slow join.
 */
async function waitConnected(publisher: Publisher, xpub: string): Promise<void> {
  const probeTopic = topics.status('storage-bench', `probe-${process.pid}`);
  const watcher = new Subscriber({ name: 'storage-bench-probe', linger: 0 });
  watcher.connect(xpub);
  watcher.subscribe(probeTopic);
  let seen = false;
  const loop = watcher.consume(() => {
    seen = true;
  });
  try {
    const deadline = Date.now() + 10_000;
    const beat = { service: 'storage-bench', instance: 'probe', state: 'STARTING' as const, uptimeMs: 0, info: {} };
    while (!seen) {
      if (Date.now() > deadline) throw new Error('expected the bench publisher to reach the hub within 10 s, it did not');
      publisher.publish(probeTopic, encodePayload({ kind: 'heartbeat', value: beat }));
      await sleep(20);
    }
  } finally {
    watcher.close();
    await loop;
  }
}

/** Quotes stored of this publisher's epoch whose topic and sequence are the last of their streams. */
async function lastOfStreamsStored(pool: Pool, source: string, epoch: bigint, lasts: ReadonlyMap<Topic, number>): Promise<number> {
  const topicList = [...lasts.keys()];
  const seqs = topicList.map((t) => lasts.get(t) as number);
  const result = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM quote_ticks
      WHERE source_instance = $1 AND epoch = $2 AND (topic, seq) IN (SELECT * FROM unnest($3::text[], $4::int8[]))`,
    [source, epoch.toString(), topicList, seqs],
  );
  return result.rows[0]?.n ?? 0;
}

/** How an end-to-end round publishes. */
export interface EndToEndRoundOptions {
  readonly ticks: number;
  /** Numbers the round's publisher instance, so every round is a new stream. */
  readonly round: number;
  /** Quotes per second to publish at; 0: as fast as the publisher goes (a burst the bus buffers). */
  readonly ticksPerSecond: number;
  /** Longest wait after the last publish for everything to be stored. */
  readonly timeoutMs?: number;
}

/**
 * One round: quotes (built before the clock starts) published as fast as the
 * publisher goes or at a set rate, timed until all are stored. Fails when
 * they are not all stored within the timeout after the last publish.
 */
export async function runEndToEndRound(stack: PersistenceStack, pool: Pool, options: EndToEndRoundOptions): Promise<EndToEndRoundResult> {
  const { ticks, round, ticksPerSecond } = options;
  await truncateQuotes(pool);
  const sourceInstance = `${INSTANCE}-${round}`;
  const publisher = new Publisher({
    name: 'storage-bench-out',
    source: { service: SOURCE_SERVICE, instance: sourceInstance },
    sendHighWaterMark: 100_000,
    linger: 2_000,
    batch: { maxSize: 64, maxDelayMs: 0 },
  });
  publisher.connect(stack.xsub);
  try {
    await waitConnected(publisher, stack.xpub);
    // Times a microsecond apart from now: today's partition, like live quotes.
    const quotes = makeQuotes(ticks, systemClock.nowNanos(), sourceInstance, publisher.epoch);
    const tickTopics = BENCH_INSTRUMENTS.map((i) => topics.tick(i.venue, i.symbol));

    const cpuBefore = [processCpuSeconds(stack.persistence.pid), processCpuSeconds(stack.hub.pid)];
    const backendsBefore = await backendCpuSeconds(pool);
    const start = performance.now();
    for (let from = 0; from < ticks; from += PUBLISH_CHUNK) {
      if (ticksPerSecond > 0) {
        // Paced: wait until this chunk is due by the clock.
        const dueMs = (from / ticksPerSecond) * 1000 - (performance.now() - start);
        if (dueMs > 1) await sleep(dueMs);
      }
      const to = Math.min(ticks, from + PUBLISH_CHUNK);
      for (let i = from; i < to; i++) {
        const tick = quotes.ticks[i] as QuoteTick;
        publisher.publish(tickTopics[i % tickTopics.length] as Topic, encodePayload({ kind: 'quote', value: tick }), {
          eventTimeNs: tick.eventTime,
          initTimeNs: tick.initTime,
        });
      }
      if (publisher.stats().queued > 0) await publisher.drain();
      await yieldTurn();
    }
    await publisher.drain();
    const publishSeconds = (performance.now() - start) / 1000;

    const lasts = new Map(tickTopics.map((topic) => [topic, publisher.lastSequence(topic)] as const));
    const deadline = performance.now() + (options.timeoutMs ?? 30_000);
    while ((await lastOfStreamsStored(pool, sourceInstance, publisher.epoch, lasts)) < lasts.size) {
      if (performance.now() > deadline) break;
      await sleep(POLL_MS);
    }
    const seconds = (performance.now() - start) / 1000;
    const [persistenceCpu, hubCpu] = cpuShares(cpuBefore, [processCpuSeconds(stack.persistence.pid), processCpuSeconds(stack.hub.pid)], seconds);
    const backendsAfter = await backendCpuSeconds(pool);
    const [postgresCpu] = cpuShares([0], [backendCpuUsed(backendsBefore, backendsAfter)], seconds);
    const stored = Number(
      (await pool.query<{ n: string }>('SELECT count(*) AS n FROM quote_ticks WHERE source_instance = $1', [sourceInstance])).rows[0]?.n,
    );
    if (stored !== ticks) {
      throw new Error(`end to end: expected ${ticks} quotes stored, found ${stored} after ${seconds.toFixed(1)} s (persistence log:\n${stack.persistence.tail(10)})`);
    }
    return {
      rows: ticks,
      seconds,
      rowsPerSecond: ticks / seconds,
      publishSeconds,
      cpu: { persistence: persistenceCpu, hub: hubCpu, postgres: postgresCpu },
    };
  } finally {
    await publisher.close(2_000);
  }
}
