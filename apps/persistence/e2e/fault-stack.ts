import { Publisher, Subscriber, topics, type BusMessage } from '@ttquant/bus';
import type { Alert } from '@ttquant/domain';
import { Journal } from '@ttquant/journal';
import { decodeEnvelope, decodePayloadAt, int64ToBigInt } from '@ttquant/protocol';
import { decodeInbound, parseStreamHeads } from '@ttquant/service-bus';
import { allocateEndpoints, freePorts, ServiceProcess, stackEnv, TcpProxy, waitFor, type StackEndpoints } from '@ttquant/testing';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const SERVER_URL = process.env['TTQ_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Quotes the market-data replay file holds: the simulation's length. */
export const TICKS = 10_000;
export const ACCOUNT = 'SIM001';
export const MD_INSTANCE = 'md1';
export const TICK_TOPIC = topics.tick('SIM', 'ACME');
const ORDER_TOPIC = topics.order(ACCOUNT);
const FILL_TOPIC = topics.fill(ACCOUNT);

/** How a fault stack is built. */
export interface FaultStackOptions {
  /** Persistence workers started at first. */
  readonly workers: number;
  /** Replay pace: 1 is 1000 quotes/s. */
  readonly replaySpeed: number;
  /** Persistence reaches PostgreSQL through a {@link TcpProxy}. */
  readonly viaProxy: boolean;
  /** Rows per COPY batch (the writers hold 4 batches before the bus reader waits); default the service's. */
  readonly batchRows?: number;
  /** Market-data's fault drill: frames carrying a multiple of this are journaled but never sent. */
  readonly dropTickEvery?: number;
}

/** The last heartbeat of one service instance, with the stream run it came from. */
interface Beat {
  readonly state: string;
  readonly info: Readonly<Record<string, string>>;
  readonly epoch: bigint;
}

/** What is stored compared with what the publishers' journals hold. */
export interface StorageCheck {
  readonly ticks: { readonly journalLast: number; readonly rows: number; readonly distinct: number; readonly min: number; readonly max: number };
  readonly orderEvents: { readonly journal: number; readonly stored: number; readonly missing: string[]; readonly extra: string[] };
  readonly fills: { readonly journal: number; readonly stored: number; readonly missing: string[]; readonly extra: string[] };
  /** Replay requests market-data and the gateway answered (their last heartbeats). */
  readonly replaysServed: number;
}

/**
 * The simulation stack of the fault tests, every service a real process:
 * hub, market-data replaying a file of {@link TICKS} quotes, a gateway on the
 * sim venue, a strategy engine trading on those quotes, and persistence
 * workers on a fresh database of the real server (optionally through a TCP
 * proxy). A watcher follows every heartbeat on the bus.
 */
export class FaultStack {
  readonly workers = new Map<string, ServiceProcess>();
  readonly beats = new Map<string, Beat>();
  /** Every alert seen on the bus (sys.alert), in order. */
  readonly alerts: Alert[] = [];
  proxy: TcpProxy | undefined;
  db!: Client;
  private hub!: ServiceProcess;
  private marketData: ServiceProcess | undefined;
  private gateway: ServiceProcess | undefined;
  private strategy: ServiceProcess | undefined;
  private watcher!: Subscriber;
  private watching!: Promise<void>;
  private endpoints!: StackEndpoints;
  private env!: Record<string, string>;
  private readonly dir = mkdtempSync(join(tmpdir(), 'ttq-persistence-faults-'));
  private readonly database = `ttq_faults_${randomBytes(4).toString('hex')}`;
  private workerPorts: number[] = [];

  private constructor(private readonly options: FaultStackOptions) {}

  /** Starts everything; persistence first, so it is subscribed before anything is published. */
  static async start(options: FaultStackOptions): Promise<FaultStack> {
    const stack = new FaultStack(options);
    try {
      await stack.boot();
    } catch (error) {
      await stack.close().catch(() => undefined);
      throw error;
    }
    return stack;
  }

  private async boot(): Promise<void> {
    const admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${this.database}`);
    await admin.end();
    this.db = new Client({ connectionString: this.directUrl });
    await this.db.connect();
    if (this.options.viaProxy) {
      const server = new URL(SERVER_URL);
      this.proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
    }
    this.endpoints = await allocateEndpoints();
    this.workerPorts = await freePorts(4);
    this.env = stackEnv(this.endpoints);
    this.writeConfig();

    this.hub = await ServiceProcess.start({ app: 'hub', cwd: this.dir, httpPort: this.endpoints.httpPorts.hub, env: this.env });
    this.watcher = new Subscriber();
    this.watcher.connect(this.endpoints.xpub);
    this.watcher.subscribe(topics.prefix.allStatus());
    this.watcher.subscribe(topics.alert());
    this.watching = this.watcher.consume((message: BusMessage) => {
      const alert = message.payload.alert;
      if (alert) {
        const decoded = decodeInbound(message);
        if (decoded.ok && decoded.message.kind === 'alert') this.alerts.push(decoded.message.value);
        return;
      }
      const beat = message.payload.heartbeat;
      if (!beat) return;
      const info: Record<string, string> = { ...(beat.info ?? {}) };
      this.beats.set(`${beat.service}/${beat.instance}`, { state: String(beat.state ?? ''), info, epoch: message.epoch });
    });
    for (let i = 0; i < this.options.workers; i++) await this.startWorker(`p${i}`);
    this.gateway = await this.service('gateway', { TTQ_SERVICE_INSTANCE: 'gw1' });
    this.marketData = await this.service('market-data', {
      TTQ_SERVICE_INSTANCE: MD_INSTANCE,
      ...(this.options.dropTickEvery ? { TTQ_MARKET_DATA_DROP_TICK_EVERY: String(this.options.dropTickEvery) } : {}),
    });
    this.strategy = await this.service('strategy-engine', { TTQ_SERVICE_INSTANCE: 'se1' });
  }

  /** The database as the test reaches it (never through the proxy). */
  get directUrl(): string {
    return `${SERVER_URL.replace(/\/[^/]*$/, '')}/${this.database}`;
  }

  /** Starts (or restarts) persistence worker `name` (p0, p1…). */
  async startWorker(name: string): Promise<ServiceProcess> {
    const index = Number(name.slice(1));
    const url = this.proxy ? this.directUrl.replace(/:\d+\//, `:${this.proxy.port}/`) : this.directUrl;
    const worker = await ServiceProcess.start({
      app: 'persistence',
      cwd: join(this.dir, name),
      httpPort: this.workerPorts[index] as number,
      env: {
        ...this.env,
        DATABASE_URL: url,
        TTQ_SERVICE_INSTANCE: name,
        TTQ_PERSISTENCE_REBALANCE_INTERVAL: '250ms',
        TTQ_PERSISTENCE_CHECKPOINT_INTERVAL: '250ms',
        ...(this.options.batchRows ? { TTQ_PERSISTENCE_BATCH_ROWS: String(this.options.batchRows) } : {}),
      },
      readyTimeoutMs: 30_000,
    });
    this.workers.set(name, worker);
    return worker;
  }

  /** Kills the gateway with SIGKILL (no flush, no goodbye) and starts it again on the same journal. */
  async crashGateway(): Promise<void> {
    await (this.gateway as ServiceProcess).stop('SIGKILL');
    this.gateway = await this.service('gateway', { TTQ_SERVICE_INSTANCE: 'gw1' });
  }

  /** Order events stored so far. */
  async storedOrderEvents(): Promise<number> {
    return Number((await this.db.query<{ n: string }>('SELECT count(*) AS n FROM order_events')).rows[0]?.n);
  }

  /** The gateway runs (epochs) the order and fill streams' stored progress records, per topic. */
  async gatewayRunsRecorded(): Promise<number> {
    const result = await this.db.query<{ n: string }>(
      `SELECT count(DISTINCT epoch) AS n FROM ttq_stream_progress WHERE source_service = 'gateway' AND topic = $1`,
      [ORDER_TOPIC],
    );
    return Number(result.rows[0]?.n);
  }

  /** Messages worker `name` (its last run) stored from the journals by replay, by its last heartbeat. */
  replayRecovered(name: string): number {
    return Number(this.beats.get(`persistence/${name}`)?.info['replayRecovered'] ?? 0);
  }

  /** A publisher of the test's own on the bus (source `faulty/f1`), connected; the caller closes it. */
  publisher(): Publisher {
    const publisher = new Publisher({ name: 'faulty', source: { service: 'faulty', instance: 'f1' } });
    publisher.connect(this.endpoints.xsub);
    return publisher;
  }

  /** Quotes market-data has published so far. */
  ticksPublished(): number {
    return Number(this.beats.get(`market-data/${MD_INSTANCE}`)?.info['ticksPublished'] ?? 0);
  }

  /** Shards worker `name` announced holding in its last heartbeat. */
  shardsOf(name: string): number[] {
    const text = this.beats.get(`persistence/${name}`)?.info['shards'] ?? '';
    return text === '' ? [] : text.split(',').map(Number);
  }

  /** Quote rows in the database. */
  async storedTicks(): Promise<number> {
    return Number((await this.db.query<{ n: string }>('SELECT count(*) AS n FROM quote_ticks')).rows[0]?.n);
  }

  /**
   * Ends the run the way an operator would once the file is played: stops
   * the strategy, waits until persistence has recorded as stored everything
   * the publishers announced, then stops the publishers and the workers
   * (SIGTERM: each must exit 0).
   */
  async finish(): Promise<Record<string, { code: number | null; signal: string | null }>> {
    await waitFor(() => this.ticksPublished() >= TICKS, `market-data to publish its ${TICKS} quotes`, 60_000);
    const exits: Record<string, { code: number | null; signal: string | null }> = {};
    exits['strategy-engine'] = await (this.strategy as ServiceProcess).stop('SIGTERM', 15_000);
    await waitFor(async () => this.caughtUp(), 'persistence to record every announced stream head as stored', 60_000, 200).catch(
      async (error: unknown) => {
        throw new Error(`${(error as Error).message}\n${await this.diagnosis()}`);
      },
    );
    exits['market-data'] = await (this.marketData as ServiceProcess).stop('SIGTERM', 15_000);
    exits['gateway'] = await (this.gateway as ServiceProcess).stop('SIGTERM', 15_000);
    // The gateway's final order states (repeats, stored once) reach the workers before they stop: wait for its journal's heads.
    const journal = Journal.open({ dir: join(this.dir, `.data/journal/gateway-${ACCOUNT}`) });
    const finalHeads = journal
      .ranges()
      .filter((r) => r.topic === ORDER_TOPIC || r.topic === FILL_TOPIC)
      .map((r) => ({ instance: 'gw1', epoch: r.epoch, topic: r.topic, head: r.lastSequence }));
    journal.close();
    await waitFor(async () => this.recorded(finalHeads), 'persistence to store the gateway’s last messages', 30_000, 200);
    for (const [name, worker] of this.workers) exits[name] = await worker.stop('SIGTERM', 20_000);
    return exits;
  }

  /** True once every tick, order and fill stream head the publishers announced is recorded in ttq_stream_progress. */
  private async caughtUp(): Promise<boolean> {
    const wanted: { instance: string; epoch: bigint; topic: string; head: number }[] = [];
    for (const [key, instance, topicsOfInterest] of [
      [`market-data/${MD_INSTANCE}`, MD_INSTANCE, [TICK_TOPIC]],
      ['gateway/gw1', 'gw1', [ORDER_TOPIC, FILL_TOPIC]],
    ] as const) {
      const beat = this.beats.get(key);
      if (!beat) return false;
      const heads = parseStreamHeads(beat.info['streamHeads']);
      for (const topic of topicsOfInterest) {
        const head = heads.get(topic);
        if (head !== undefined) wanted.push({ instance, epoch: beat.epoch, topic, head });
      }
    }
    if (!wanted.some((w) => w.topic === TICK_TOPIC)) return false;
    return this.recorded(wanted);
  }

  /** What the stored progress and the announced heads are, and the workers' last log lines: for a failure message. */
  private async diagnosis(): Promise<string> {
    const progress = await this.db.query('SELECT source_instance, topic, epoch::text, seq::text FROM ttq_stream_progress ORDER BY 1, 2, 3');
    const heads = [...this.beats].map(([key, beat]) => `${key} ${beat.state} ${beat.epoch}: ${beat.info['streamHeads'] ?? ''}`);
    const logs = [...this.workers].map(([name, worker]) => {
      const notable = worker.logs.split('\n').filter((line) => /"level":(40|50|60)|"level":"(warn|error|fatal)"/.test(line) && !line.includes('shard lock connection'));
      return `--- ${name} ---\n${[...notable.slice(0, 25), '…', ...notable.slice(-15)].join('\n')}`;
    });
    return [`progress: ${JSON.stringify(progress.rows)}`, ...heads, ...logs].join('\n');
  }

  /** True once ttq_stream_progress says each stream is stored up to its head. */
  private async recorded(wanted: readonly { instance: string; epoch: bigint; topic: string; head: number }[]): Promise<boolean> {
    for (const w of wanted) {
      const result = await this.db.query<{ seq: string }>(
        'SELECT seq::text AS seq FROM ttq_stream_progress WHERE source_instance = $1 AND topic = $2 AND epoch = $3::int8',
        [w.instance, w.topic, w.epoch.toString()],
      );
      if (Number(result.rows[0]?.seq ?? 0) < w.head) return false;
    }
    return true;
  }

  /** Compares the database with the journals of market-data and the gateway (both stopped, so their files are complete). */
  async check(): Promise<StorageCheck> {
    const mdJournal = Journal.open({ dir: join(this.dir, `.data/journal/market-data-${MD_INSTANCE}`) });
    const gwJournal = Journal.open({ dir: join(this.dir, `.data/journal/gateway-${ACCOUNT}`) });
    try {
      const tickRange = mdJournal.ranges().find((r) => r.topic === TICK_TOPIC);
      const ticks = await this.db.query<{ rows: string; distinct: string; min: string; max: string }>(
        `SELECT count(*) AS rows, count(DISTINCT seq) AS distinct, min(seq) AS min, max(seq) AS max FROM (
           SELECT seq FROM quote_ticks WHERE source_instance = $1 AND topic = $2 AND epoch = $3::int8
           UNION ALL SELECT seq FROM trade_ticks WHERE source_instance = $1 AND topic = $2 AND epoch = $3::int8) t`,
        [MD_INSTANCE, TICK_TOPIC, String(tickRange?.epoch ?? 0n)],
      );
      const t = ticks.rows[0];
      const journalEvents = new Set<string>();
      const journalFills = new Set<string>();
      for (const range of gwJournal.ranges()) {
        if (range.topic !== ORDER_TOPIC && range.topic !== FILL_TOPIC) continue;
        for (const record of gwJournal.read(range.topic, range.epoch, range.firstSequence, range.lastSequence, Number.MAX_SAFE_INTEGER)) {
          for (const item of decodeEnvelope(record.payload).items) {
            const decoded = decodePayloadAt(item.payload, int64ToBigInt(item.eventTimeNs), int64ToBigInt(item.initTimeNs));
            if (decoded.kind === 'orderEvent') journalEvents.add(`${decoded.value.order.spec.clientOrderId}#${decoded.value.eventSequence}`);
            if (decoded.kind === 'fill') journalFills.add(decoded.value.execId);
          }
        }
      }
      const storedEvents = (
        await this.db.query<{ key: string }>(`SELECT client_order_id || '#' || event_sequence AS key FROM order_events`)
      ).rows.map((r) => r.key);
      const storedFills = (await this.db.query<{ key: string }>('SELECT exec_id AS key FROM fills')).rows.map((r) => r.key);
      const served = ['market-data/md1', 'gateway/gw1'].reduce((sum, key) => sum + Number(this.beats.get(key)?.info['replaysServed'] ?? 0), 0);
      return {
        ticks: { journalLast: tickRange?.lastSequence ?? 0, rows: Number(t?.rows), distinct: Number(t?.distinct), min: Number(t?.min), max: Number(t?.max) },
        orderEvents: compare(journalEvents, storedEvents),
        fills: compare(journalFills, storedFills),
        replaysServed: served,
      };
    } finally {
      mdJournal.close();
      gwJournal.close();
    }
  }

  /** Stops whatever still runs, drops the database and the folder. */
  async close(): Promise<void> {
    for (const worker of this.workers.values()) await worker.stop('SIGKILL');
    await this.strategy?.stop('SIGKILL');
    await this.marketData?.stop('SIGKILL');
    await this.gateway?.stop('SIGKILL');
    this.watcher?.close();
    await this.watching;
    await this.hub?.stop();
    await this.proxy?.close();
    await this.db?.end().catch(() => undefined);
    const admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await admin.end();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private service(app: 'gateway' | 'market-data' | 'strategy-engine', env: Record<string, string>): Promise<ServiceProcess> {
    return ServiceProcess.start({ app, cwd: this.dir, httpPort: this.endpoints.httpPorts[app], env: { ...this.env, ...env }, readyTimeoutMs: 30_000 });
  }

  /** Market-data replays a file of quotes 1 ms apart; the strategy engine runs the repository's EMA strategy. */
  private writeConfig(): void {
    const config = join(this.dir, 'config');
    mkdirSync(config, { recursive: true });
    const file = join(this.dir, 'acme-quotes.csv');
    const lines = ['time,bid,bid_size,ask,ask_size'];
    let cents = 10_000;
    let seed = 7;
    for (let i = 0; i < TICKS; i++) {
      // A seeded walk: the EMA strategy crosses often enough to trade.
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      cents = Math.max(5_000, cents + (seed % 7) - 3);
      const time = 1_709_303_400_000_000_000n + BigInt(i) * 1_000_000n;
      lines.push(`${time},${(cents - 1) / 100},${(seed % 50) + 1},${(cents + 1) / 100},${(seed % 40) + 1}`);
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    writeFileSync(
      join(config, 'market-data.toml'),
      [
        '[sim.market]',
        `replaySpeed = ${this.options.replaySpeed}`,
        '[[sim.instruments]]',
        'symbol = "ACME"',
        'assetClass = "EQUITY"',
        'currency = "USD"',
        'baseCurrency = ""',
        'multiplier = "1"',
        'initialPrice = "100.00"',
        'tickSize = "0.01"',
        'lotSize = "1"',
        'minQuantity = "1"',
        `replayFile = ${JSON.stringify(file)}`,
        '',
      ].join('\n'),
    );
    // Written here rather than copied from config/: the test must not follow edits to the shipped example.
    writeFileSync(
      join(config, 'strategy-engine.toml'),
      [
        '[strategyEngine]',
        `account = "${ACCOUNT}"`,
        '[[strategyEngine.strategies]]',
        'type = "ema-cross"',
        'id = "ema1"',
        'params = { venue = "SIM", symbol = "ACME", fastPeriod = 5, slowPeriod = 20, quantity = "10", mode = "long-only" }',
        '',
      ].join('\n'),
    );
    for (const name of ['p0', 'p1', 'p2']) mkdirSync(join(this.dir, name), { recursive: true });
  }
}

function compare(journal: ReadonlySet<string>, stored: readonly string[]) {
  const storedSet = new Set(stored);
  return {
    journal: journal.size,
    stored: stored.length,
    missing: [...journal].filter((k) => !storedSet.has(k)).slice(0, 10),
    extra: [...storedSet].filter((k) => !journal.has(k)).slice(0, 10),
  };
}
