import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, Subscriber, topics } from '@ttquant/bus';
import { systemClock, type Heartbeat } from '@ttquant/domain';
import { decodeInbound, fetchGatewayState } from '@ttquant/service-bus';
import { parseLatencySamples, type LatencySample } from '../src/latency-recorder';
import { summarise, type LatencySummary } from './latency-stats';
import { CpuWindow, ServiceProcess, type BackgroundCpu } from '@ttquant/testing';
import type { BenchApp } from './bench-processes';

/** How a round is run; shared with the raw round. */
export interface RoundOptions {
  /** Ticks per second market data publishes. */
  readonly ticksPerSecond: number;
  /** One order per this many ticks. */
  readonly every: number;
  /** Seconds after the market starts that are not measured. */
  readonly warmupSeconds: number;
  /** Seconds measured: samples whose tick was made in this window count. */
  readonly seconds: number;
  /**
   * Folder for the services' journals instead of the round's temporary folder
   * (profiling: on a tmpfs such as /dev/shm a sync costs nothing, which shows
   * what the gateway's sync before routing costs).
   */
  readonly journalDir?: string;
  /** Profiling: each service writes a V8 CPU profile (`.cpuprofile`) into this folder. */
  readonly cpuProfileDir?: string;
  /** Profiling: each round's folder (configs, service logs, latency samples) is kept in this folder instead of deleted. */
  readonly keepDir?: string;
  /** Profiling: services run with `node --trace-gc`, so their logs show every garbage collection and its pause. */
  readonly traceGc?: boolean;
}

/** Where the time of a TTQuant order went, stage by stage. */
export interface StageSummaries {
  /** Tick made → strategy decided: market-data publish and journal, hub, strategy-engine receive and decode. */
  readonly toStrategy: LatencySummary;
  /** Strategy decided → gateway checks begin: encode, PUSH/PULL, decode, the gateway's command queue. */
  readonly toGateway: LatencySummary;
  /** Gateway checks begin → venue receives: risk, journal sync of the SUBMITTED event, routing. */
  readonly inGateway: LatencySummary;
}

/** What one TTQuant round measured. */
export interface TtquantRoundResult {
  readonly latency: LatencySummary;
  readonly stages: StageSummaries;
  /** Orders the gateway denied during the whole round (must be 0). */
  readonly denied: number;
  /** The denials heard on the bus, by check (`reference-price: 2`), to say why when `denied` is not 0. */
  readonly deniedBy: Readonly<Record<string, number>>;
  /** Orders the gateway routed during the whole round. */
  readonly submitted: number;
  /** Ticks per second market data published during the window (from its heartbeats). */
  readonly ticksPerSecond: number;
  /** Sequence gaps the strategy engine saw (ticks lost on the way). */
  readonly strategyGaps: number;
  /** Orders the probe should have sent for the window's ticks, at the rate achieved. */
  readonly expectedOrders: number;
  /** Percent of one CPU each service used during the window. */
  readonly cpu: { readonly hub: number; readonly marketData: number; readonly strategy: number; readonly gateway: number };
  /** What else used the CPUs during the window. */
  readonly background: BackgroundCpu;
}

const INSTANCE = 'bench';
/** The gateway's default account, which the probe trades. */
const ACCOUNT = 'SIM001';
const toml = (value: string | number) => JSON.stringify(value);

/** Node flags for the services, from the profiling options. */
function profilingArgs(app: BenchApp, options: Pick<RoundOptions, 'cpuProfileDir' | 'traceGc'>): string[] {
  const args = options.traceGc ? ['--trace-gc'] : [];
  if (options.cpuProfileDir) args.push('--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${app}-${process.pid}-${Date.now()}.cpuprofile`);
  return args;
}

/** Starts a service from its bundle with a config file written for it. */
function startService(cwd: string, app: BenchApp, httpPort: number, sections: string, options: RoundOptions): Promise<ServiceProcess> {
  const file = join(cwd, `${app}.toml`);
  writeFileSync(file, `[service]\ninstance = ${toml(INSTANCE)}\nhttpPort = ${httpPort}\nlogLevel = "warn"\n\n${sections}\n`);
  const nodeArgs = profilingArgs(app, options);
  // The config file says everything: the bench's own TTQ_* settings must not leak in.
  return ServiceProcess.start({ app, cwd, httpPort, args: ['--config', file], nodeArgs, logFile: join(cwd, `${app}.log`), cleanEnv: true, waitReady: false });
}

/** Follows the heartbeats of market data and the strategy engine, and the gateway's denials, through the hub. */
class HeartbeatWatch {
  readonly marketData: { readonly atNs: bigint; readonly uptimeMs: number; readonly ticks: number }[] = [];
  readonly deniedBy: Record<string, number> = {};
  strategyGaps = 0;
  private readonly subscriber = new Subscriber({ name: 'bench-heartbeats', linger: 0 });
  private readonly loop: Promise<void>;

  constructor(xpubEndpoint: string) {
    this.subscriber.connect(xpubEndpoint);
    this.subscriber.subscribe(topics.status('market-data', INSTANCE));
    this.subscriber.subscribe(topics.status('strategy-engine', INSTANCE));
    this.subscriber.subscribe(topics.riskDenial(ACCOUNT));
    this.loop = this.subscriber.consume((message) => {
      const inbound = decodeInbound(message);
      if (!inbound.ok) return;
      if (inbound.message.kind === 'heartbeat') this.note(inbound.message.value);
      else if (inbound.message.kind === 'riskDenial') {
        const { check } = inbound.message.value;
        this.deniedBy[check] = (this.deniedBy[check] ?? 0) + 1;
      }
    });
  }

  /** Ticks per second between the first and the last heartbeat received in `[fromNs, toNs]`. */
  ticksPerSecond(fromNs: bigint, toNs: bigint): number {
    const within = this.marketData.filter((h) => h.atNs >= fromNs && h.atNs <= toNs);
    const first = within[0];
    const last = within[within.length - 1];
    if (!first || !last || last.uptimeMs <= first.uptimeMs) return Number.NaN;
    return ((last.ticks - first.ticks) * 1000) / (last.uptimeMs - first.uptimeMs);
  }

  async close(): Promise<void> {
    this.subscriber.close();
    await this.loop;
  }

  private note(heartbeat: Heartbeat): void {
    if (heartbeat.service === 'market-data') {
      const ticks = Number(heartbeat.info['ticksPublished'] ?? Number.NaN);
      this.marketData.push({ atNs: systemClock.nowNanos(), uptimeMs: heartbeat.uptimeMs, ticks });
    } else {
      this.strategyGaps = Number(heartbeat.info['gaps'] ?? 0);
    }
  }
}

/** Asks the gateway for its counters (`state` on the control socket). */
async function gatewayStats(controlEndpoint: string): Promise<Record<string, string>> {
  return { ...(await fetchGatewayState(controlEndpoint, '', 10_000)).stats };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Once the market has stopped, waits until the gateway has taken every order
 * still on its way (its command count stops growing), so a slow round is not
 * made to look fast by leaving its latest orders out. Resolves with its counters.
 */
async function settledGatewayStats(controlEndpoint: string, timeoutMs = 15_000): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  let stats = await gatewayStats(controlEndpoint);
  let unchanged = 0;
  while (unchanged < 2 && Date.now() < deadline) {
    await sleep(250);
    const next = await gatewayStats(controlEndpoint);
    unchanged = next['commands'] === stats['commands'] ? unchanged + 1 : 0;
    stats = next;
  }
  return stats;
}

function stagesOf(samples: readonly LatencySample[]): StageSummaries {
  const decided = samples.filter((s) => s.decidedNs !== undefined) as (LatencySample & { decidedNs: bigint })[];
  return {
    toStrategy: summarise(decided.map((s) => Number(s.decidedNs - s.tickInitNs))),
    toGateway: summarise(decided.map((s) => Number(s.acceptedNs - s.decidedNs))),
    inGateway: summarise(samples.map((s) => Number(s.receivedNs - s.acceptedNs))),
  };
}

/**
 * One TTQuant round: hub, gateway (recording latencies), strategy engine
 * (the latency probe) and market data at the tick rate, each from its bundle in
 * a fresh temporary folder on free ports. Latency is measured for the orders
 * whose tick was made inside the window after the warm-up.
 */
export async function runTtquantRound(options: RoundOptions): Promise<TtquantRoundResult> {
  const cwd = mkdtempSync(options.keepDir ? join(options.keepDir, 'ttquant-round-') : join(tmpdir(), 'ttq-latency-'));
  const endpoint = async () => `tcp://127.0.0.1:${await freeTcpPort()}`;
  const [frontend, backend, orders, control, replay] = [await endpoint(), await endpoint(), await endpoint(), await endpoint(), await endpoint()];
  const httpPorts = { hub: await freeTcpPort(), gateway: await freeTcpPort(), strategy: await freeTcpPort(), marketData: await freeTcpPort() };
  const bus = `[bus]\nxsubEndpoint = ${toml(frontend)}\nxpubEndpoint = ${toml(backend)}\n`;
  const samplesFile = join(cwd, 'latency-samples.csv');
  const journals = options.journalDir ? mkdtempSync(join(options.journalDir, 'ttq-latency-journal-')) : join(cwd, '.data', 'journal');
  const running: ServiceProcess[] = [];
  let watch: HeartbeatWatch | undefined;
  let keep = false;
  try {
    const hub = await startService(cwd, 'hub', httpPorts.hub, `[hub]\nfrontend = ${toml(frontend)}\nbackend = ${toml(backend)}\n`, options);
    running.push(hub);
    await hub.waitReady();
    watch = new HeartbeatWatch(backend);

    // The gateway may get its first quotes up to ~40 ms after the strategy does, and denies a market
    // order it has none to value against: the probe waits up to half a second of quotes, inside the warm-up.
    const startAfter = Math.round(options.ticksPerSecond * Math.min(0.5, options.warmupSeconds));
    // Consumers before the producer, so no tick of the window is missed by a late subscription.
    const gateway = await startService(
      cwd,
      'gateway',
      httpPorts.gateway,
      `${bus}\n[gateway]\nordersEndpoint = ${toml(orders)}\ncontrolEndpoint = ${toml(control)}\nlatencySamplesFile = ${toml(samplesFile)}\n` +
        `journalDir = ${toml(join(journals, 'gateway'))}\n`,
      options,
    );
    const strategy = await startService(
      cwd,
      'strategy-engine',
      httpPorts.strategy,
      `${bus}\n[strategyEngine]\ngatewayEndpoint = ${toml(orders)}\ngatewayControlEndpoint = ${toml(control)}\n\n[[strategyEngine.strategies]]\ntype = "latency-probe"\nid = "probe"\n` +
        `params = { venue = "SIM", symbol = "ACME", every = ${options.every}${startAfter > 0 ? `, startAfter = ${startAfter}` : ''} }\n`,
      options,
    );
    running.push(gateway, strategy);
    await Promise.all([gateway.waitReady(), strategy.waitReady()]);

    // One instrument, quotes only: every tick reaches the probe, like every message reaches the raw subscriber.
    const marketData = await startService(
      cwd,
      'market-data',
      httpPorts.marketData,
      `${bus}\n[marketData]\nsymbols = ["ACME"]\nreplayEndpoint = ${toml(replay)}\njournalDir = ${toml(join(journals, 'market-data'))}\n\n[sim.market]\nticksPerSecond = ${options.ticksPerSecond}\ntradeProbability = 0\n`,
      options,
    );
    running.push(marketData);
    await marketData.waitReady();

    await sleep(options.warmupSeconds * 1000);
    const cpuWindow = CpuWindow.open([hub.pid, marketData.pid, strategy.pid, gateway.pid]);
    const from = systemClock.nowNanos();
    await sleep(options.seconds * 1000);
    const to = systemClock.nowNanos();
    const { shares, background } = cpuWindow.close(Number(to - from) / 1e9);
    const [hubCpu, marketDataCpu, strategyCpu, gatewayCpu] = shares;
    // Heartbeats come every second: allow the one just after the window.
    await sleep(1_100);
    const ticksPerSecond = watch.ticksPerSecond(from, to + 1_100_000_000n);

    const marketDataExit = (await marketData.stop()).code;
    const stats = await settledGatewayStats(control);
    const strategyExit = (await strategy.stop()).code;
    const gatewayExit = (await gateway.stop()).code;
    const exits = { 'market-data': marketDataExit, 'strategy-engine': strategyExit, gateway: gatewayExit };
    for (const [app, code] of Object.entries(exits)) {
      if (code !== 0) throw new Error(`expected ${app} to exit with 0 on SIGTERM, it exited with ${code}`);
    }

    const samples = parseLatencySamples(readFileSync(samplesFile, 'utf8')).filter((s) => s.tickInitNs >= from && s.tickInitNs < to);
    return {
      latency: summarise(samples.map((s) => Number(s.receivedNs - s.tickInitNs))),
      stages: stagesOf(samples),
      denied: Number(stats['denied'] ?? Number.NaN),
      deniedBy: { ...watch.deniedBy },
      submitted: Number(stats['submitted'] ?? Number.NaN),
      ticksPerSecond,
      strategyGaps: watch.strategyGaps,
      expectedOrders: Math.round((ticksPerSecond * options.seconds) / options.every),
      cpu: { hub: hubCpu as number, marketData: marketDataCpu as number, strategy: strategyCpu as number, gateway: gatewayCpu as number },
      background,
    };
  } catch (error) {
    keep = true;
    throw new Error(`TTQuant round failed (logs kept in ${cwd}): ${(error as Error).message}`, { cause: error });
  } finally {
    await watch?.close();
    for (const service of running.reverse()) await service.stop();
    if (!keep && !options.keepDir) rmSync(cwd, { recursive: true, force: true });
    if (options.journalDir) rmSync(journals, { recursive: true, force: true });
  }
}
