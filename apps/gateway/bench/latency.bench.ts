/*
 * Tick-to-order latency: TTQuant end to end against a raw zeromq.js baseline.
 *
 *   npm run bench -- latency [--rounds 5] [--seconds 10] [--warmup 3] [--rate 10000] [--every 50] [--only ttquant|raw]
 *                           [--journal-dir /dev/shm] [--cpu-prof <dir>] [--keep <dir>] [--trace-gc]
 *
 * ttquant  hub, gateway, strategy engine and market data from their bundles
 *          (dist/apps/<app>/main.cjs, built first when missing or stale). Market
 *          data publishes --rate quotes/s of SIM:ACME; the latency-probe strategy
 *          sends a 1-lot MARKET order (alternately BUY and SELL) on every
 *          --every-th quote, tagged with the quote's init time; the gateway runs
 *          its checks, journals and routes it, and records `received − tick init`
 *          when the sim venue receives it (gateway.latencySamplesFile).
 * raw      the same hops in bare zeromq.js: publisher → XSUB/XPUB proxy →
 *          subscriber that pushes on every --every-th message → puller, with
 *          pre-encoded messages of the same sizes and the same pacing.
 *
 * Rounds alternate the two; each measures --seconds after --warmup seconds
 * (samples whose tick was made in the window). Reported: p50/p99/p99.9 per
 * round, their medians over rounds, and ratioP99 = TTQuant p99 / raw p99
 * (goal ≤ 1.5, with no order denied). For profiling: --only runs one
 * mode; --journal-dir puts the services' journals in another folder (a tmpfs
 * shows what the gateway's disk sync before routing costs); --cpu-prof writes
 * a V8 CPU profile of every service into a folder; --keep keeps each TTQuant
 * round's folder (configs, service logs, latency samples with every stage's
 * times) in a folder; --trace-gc runs the services with `node --trace-gc`, so
 * with --keep their logs show each collection's pause. Each round also says how much CPU
 * everything else on the machine used and how long the kernel's DAMON threads ran: where
 * kdamond runs, it holds a core for 3-4 ms at a time, and the tails of both modes follow it.
 * Times come from systemClock in every
 * process (origin performance.timeOrigin: consistent across processes to ~µs).
 * The last line of output is one JSON object.
 */
import { cpus, loadavg } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatSummary, median, type LatencySummary } from './latency-stats';
import { RAW_ROLES, runRawRole, runRawRound, type RawRole, type RawRoundResult } from './raw-round';
import { benchNumberArg, benchTextArg, ensureBundles, type BackgroundCpu } from '@ttquant/testing';
import { BENCH_APPS } from './bench-processes';
import { runTtquantRound, type RoundOptions, type TtquantRoundResult } from './ttquant-round';

const GOAL_RATIO = 1.5;
const root = join(__dirname, '..', '..', '..');

function fmt(n: number, digits = 0): string {
  return Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** ` (price-band: 2, reference-price: 1)`, or nothing when no denial was heard. */
function formatDenials(byCheck: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byCheck);
  return entries.length === 0 ? '' : ` (${entries.map(([check, count]) => `${check}: ${count}`).join(', ')})`;
}

function formatBackground(background: BackgroundCpu): string {
  return `everything else ${background.otherPct}, kdamond ${background.kdamondMsPerS} ms/s`;
}

function medianSummary(rounds: readonly LatencySummary[]): LatencySummary {
  return {
    samples: rounds.reduce((sum, r) => sum + r.samples, 0),
    p50Us: median(rounds.map((r) => r.p50Us)),
    p99Us: median(rounds.map((r) => r.p99Us)),
    p999Us: median(rounds.map((r) => r.p999Us)),
    maxUs: rounds.length === 0 ? Number.NaN : Math.max(...rounds.map((r) => r.maxUs)),
  };
}

async function main(): Promise<void> {
  const rounds = benchNumberArg('rounds', 5, 1);
  const journalDir = benchTextArg('journal-dir');
  const cpuProfileDir = benchTextArg('cpu-prof');
  const keepDir = benchTextArg('keep');
  const options: RoundOptions = {
    ticksPerSecond: benchNumberArg('rate', 10_000, 1),
    every: Math.round(benchNumberArg('every', 50, 1)),
    // Steady state, both modes alike: the services' first seconds are JIT warm-up (p50 1.4-2 ms in
    // the first second), and 10 s give ~2,000 orders a round, so p99.9 is not just the maximum.
    warmupSeconds: benchNumberArg('warmup', 3, 0),
    seconds: benchNumberArg('seconds', 10, 0.5),
    ...(journalDir !== undefined ? { journalDir } : {}),
    ...(cpuProfileDir !== undefined ? { cpuProfileDir } : {}),
    ...(keepDir !== undefined ? { keepDir: resolve(keepDir) } : {}),
    traceGc: process.argv.includes('--trace-gc'),
  };
  if (keepDir !== undefined) mkdirSync(keepDir, { recursive: true });
  const only = benchTextArg('only');
  if (only !== undefined && only !== 'ttquant' && only !== 'raw') throw new Error(`--only: expected ttquant or raw, was ${only}`);
  ensureBundles(root, BENCH_APPS);
  console.log(
    `latency bench: ${fmt(options.ticksPerSecond)} ticks/s, an order every ${options.every} ticks, ` +
      `${rounds} rounds × (${options.warmupSeconds} s warm-up + ${options.seconds} s measured) per mode` +
      (journalDir ? `, journals in ${journalDir}` : ''),
  );

  const ttquant: TtquantRoundResult[] = [];
  const raw: LatencySummary[] = [];
  const rawRates: number[] = [];
  const rawCpu: RawRoundResult['cpu'][] = [];
  const rawStages: RawRoundResult['stages'][] = [];
  const rawBackground: RawRoundResult['background'][] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate which mode goes first, so a drift of the machine does not favour one.
    const order = round % 2 === 1 ? (['ttquant', 'raw'] as const) : (['raw', 'ttquant'] as const);
    for (const mode of order.filter((m) => only === undefined || m === only)) {
      if (mode === 'ttquant') {
        const result = await runTtquantRound(options);
        ttquant.push(result);
        const { stages } = result;
        console.log(
          `round ${round} ttquant  ${formatSummary(result.latency)}  (${result.latency.samples} of ~${result.expectedOrders} orders, ` +
            `${fmt(result.ticksPerSecond)} ticks/s, denied ${result.denied}${formatDenials(result.deniedBy)}, strategy gaps ${result.strategyGaps})`,
        );
        console.log(
          `        stages p50/p99 µs: tick→strategy ${fmt(stages.toStrategy.p50Us, 1)}/${fmt(stages.toStrategy.p99Us, 1)}  ` +
            `strategy→gateway ${fmt(stages.toGateway.p50Us, 1)}/${fmt(stages.toGateway.p99Us, 1)}  ` +
            `gateway→venue ${fmt(stages.inGateway.p50Us, 1)}/${fmt(stages.inGateway.p99Us, 1)}`,
        );
        const { cpu } = result;
        console.log(
          `        CPU % of one core: market-data ${cpu.marketData}, hub ${cpu.hub}, strategy-engine ${cpu.strategy}, gateway ${cpu.gateway}; ${formatBackground(result.background)}`,
        );
      } else {
        const result = await runRawRound(__filename, options);
        raw.push(result.latency);
        rawRates.push(result.ticksPerSecond);
        rawCpu.push(result.cpu);
        rawStages.push(result.stages);
        rawBackground.push(result.background);
        console.log(`round ${round} raw      ${formatSummary(result.latency)}  (${result.latency.samples} of ~${result.expectedOrders} orders, ${fmt(result.ticksPerSecond)} ticks/s)`);
        const { stages, cpu } = result;
        console.log(
          `        stages p50/p99 µs: tick→subscriber ${fmt(stages.toSubscriber.p50Us, 1)}/${fmt(stages.toSubscriber.p99Us, 1)}  ` +
            `subscriber→puller ${fmt(stages.toPuller.p50Us, 1)}/${fmt(stages.toPuller.p99Us, 1)}`,
        );
        console.log(
          `        CPU % of one core: publisher ${cpu.publisher}, proxy ${cpu.proxy}, subscriber ${cpu.subscriber}, puller ${cpu.puller}; ${formatBackground(result.background)}`,
        );
      }
    }
  }

  // Other work on the machine stretches every tail: say how busy it was.
  const load = loadavg()[0] as number;
  console.log(`load average ${load.toFixed(2)} over the last minute on ${cpus().length} CPUs`);
  const t = medianSummary(ttquant.map((r) => r.latency));
  const r = medianSummary(raw);
  const ratio = t.p99Us / r.p99Us;
  const denials = ttquant.reduce((sum, round) => sum + round.denied, 0);
  const goalMet = ratio <= GOAL_RATIO && denials === 0;
  console.log(`median ttquant ${formatSummary(t)}`);
  console.log(`median raw     ${formatSummary(r)}`);
  console.log(
    `ratio of p99s ${ratio.toFixed(2)} (goal ≤ ${GOAL_RATIO}), denials ${denials}: goal ${goalMet ? 'met' : 'NOT met'}`,
  );
  console.log(
    JSON.stringify({
      bench: 'latency',
      p50Us: t.p50Us,
      p99Us: t.p99Us,
      p999Us: t.p999Us,
      rawP99Us: r.p99Us,
      ratioP99: Number(ratio.toFixed(3)),
      rawP50Us: r.p50Us,
      rawP999Us: r.p999Us,
      denials,
      goalMet,
      rounds,
      samples: t.samples,
      rawSamples: r.samples,
      ticksPerSec: Math.round(median(ttquant.map((x) => x.ticksPerSecond))),
      rawTicksPerSec: Math.round(median(rawRates)),
      every: options.every,
      loadAvg1m: Number(load.toFixed(2)),
      cpuPct: {
        marketData: median(ttquant.map((x) => x.cpu.marketData)),
        hub: median(ttquant.map((x) => x.cpu.hub)),
        strategyEngine: median(ttquant.map((x) => x.cpu.strategy)),
        gateway: median(ttquant.map((x) => x.cpu.gateway)),
        rawPublisher: median(rawCpu.map((x) => x.publisher)),
        rawProxy: median(rawCpu.map((x) => x.proxy)),
        rawSubscriber: median(rawCpu.map((x) => x.subscriber)),
        rawPuller: median(rawCpu.map((x) => x.puller)),
      },
      // Noise the machine added, by mode: a round's tail stretches with it.
      background: {
        otherPct: median(ttquant.map((x) => x.background.otherPct)),
        kdamondMsPerS: median(ttquant.map((x) => x.background.kdamondMsPerS)),
        rawOtherPct: median(rawBackground.map((x) => x.otherPct)),
        rawKdamondMsPerS: median(rawBackground.map((x) => x.kdamondMsPerS)),
      },
      stagesP50Us: {
        tickToStrategy: median(ttquant.map((x) => x.stages.toStrategy.p50Us)),
        strategyToGateway: median(ttquant.map((x) => x.stages.toGateway.p50Us)),
        gatewayToVenue: median(ttquant.map((x) => x.stages.inGateway.p50Us)),
      },
      stagesP99Us: {
        tickToStrategy: median(ttquant.map((x) => x.stages.toStrategy.p99Us)),
        strategyToGateway: median(ttquant.map((x) => x.stages.toGateway.p99Us)),
        gatewayToVenue: median(ttquant.map((x) => x.stages.inGateway.p99Us)),
      },
      rawStagesP50Us: {
        tickToSubscriber: median(rawStages.map((x) => x.toSubscriber.p50Us)),
        subscriberToPuller: median(rawStages.map((x) => x.toPuller.p50Us)),
      },
      rawStagesP99Us: {
        tickToSubscriber: median(rawStages.map((x) => x.toSubscriber.p99Us)),
        subscriberToPuller: median(rawStages.map((x) => x.toPuller.p99Us)),
      },
    }),
  );
}

const roleIndex = process.argv.indexOf('--role');
const role = roleIndex >= 0 ? process.argv[roleIndex + 1] : undefined;
const run = role === undefined ? main() : (RAW_ROLES as readonly string[]).includes(role) ? runRawRole(role as RawRole, process.argv) : Promise.reject(new Error(`--role: expected one of ${RAW_ROLES.join(', ')}, was ${role}`));
run.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
