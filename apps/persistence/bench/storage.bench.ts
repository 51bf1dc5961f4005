/*
 * Storage throughput: the storage writer against raw binary COPY, and the
 * persistence service end to end against the bus's raw message rate.
 *
 *   npm run bench -- storage [--rows 300000] [--batch 10000] [--rounds 5]
 *                            [--e2e-rows 300000] [--e2e-rounds 3] [--bus-seconds 2] [--keep-logs]
 *                            [--e2e-rate 0] [--cpu-prof <dir>]
 *
 * Against the PostgreSQL of the specs (TTQ_TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test), in a fresh schema migrated by the
 * real migrations and dropped at the end:
 *
 * raw      binary COPY rows/s into quote_ticks (same table, constraints and
 *          indexes as production): --batch-row COPYs of buffers encoded before
 *          the clock starts, one connection.
 * writer   the storage writer (BatchWriter) from domain quote ticks, as
 *          persistence feeds it (quoteTickRow → encode → batch → COPY), same
 *          table, batch size and connection count. Goal: ≥ 0.7 of raw.
 *          Raw and writer rounds alternate; each starts from an empty table.
 * e2e      quotes published with the bus Publisher (batched like market data)
 *          through the hub into a real persistence process (built bundle),
 *          timed from the first publish until every quote is in the table.
 *          By default as fast as the publisher goes (the bus buffers the
 *          burst); --e2e-rate paces it to that many quotes per second.
 * bus raw  bare zeromq.js PUB → SUB msgs/s between two processes, in the same run.
 * peak RSS of the persistence process (VmHWM) over the end-to-end rounds.
 *
 * Results are medians over rounds. For profiling, --cpu-prof writes a V8 CPU
 * profile of the persistence process into a folder (the bench process itself
 * can be profiled with NODE_OPTIONS=--cpu-prof). The last line of output is
 * one JSON object.
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchNumberArg, benchTextArg, ensureBundles } from '@ttquant/testing';
import { createBenchSchema, type BenchSchema } from './bench-database';
import { makeQuotes } from './bench-quotes';
import { BUS_ROLES, runBusRawTrial, runBusRole, type BusRole } from './bus-raw-round';
import { encodeRate, prebuildCopyBuffers, rawCopyRound, writerRound, type CopyRoundResult } from './copy-rounds';
import { PersistenceStack, runEndToEndRound, type EndToEndRoundResult } from './end-to-end-round';

const GOAL_RATIO = 0.7;
const root = join(__dirname, '..', '..', '..');

function fmt(n: number): string {
  return Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US');
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function describeRound(result: CopyRoundResult | EndToEndRoundResult): string {
  return `${fmt(result.rowsPerSecond).padStart(9)} rows/s  (${fmt(result.rows)} rows in ${result.seconds.toFixed(2)} s)`;
}

/** Resources to release however the bench ends, newest first. */
const cleanups: (() => Promise<void>)[] = [];

async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => console.error(`clean-up failed: ${(error as Error).message}`));
  }
}

async function copyComparison(schema: BenchSchema, rows: number, batchRows: number, rounds: number) {
  const pool = schema.pool(1);
  const quotes = makeQuotes(rows, BigInt(Date.now()) * 1_000_000n, 'storage-bench', 1n);
  const buffers = prebuildCopyBuffers(quotes, batchRows);
  const bytesPerRow = buffers.reduce((sum, b) => sum + b.length, 0) / rows;
  const encodePerSec = encodeRate(quotes, batchRows);
  console.log(`quote row ${bytesPerRow.toFixed(0)} bytes encoded; map + encode alone (no database): ${fmt(encodePerSec)} rows/s`);
  const raw: CopyRoundResult[] = [];
  const writer: CopyRoundResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate which goes first, so a drift of the machine does not favour one.
    const order = round % 2 === 1 ? (['raw', 'writer'] as const) : (['writer', 'raw'] as const);
    for (const side of order) {
      if (side === 'raw') {
        const result = await rawCopyRound(pool, buffers, rows);
        raw.push(result);
        console.log(`round ${round} raw COPY ${describeRound(result)}`);
      } else {
        const result = await writerRound(pool, quotes, batchRows);
        writer.push(result);
        console.log(`round ${round} writer   ${describeRound(result)}`);
      }
    }
  }
  return {
    rawPerSec: median(raw.map((r) => r.rowsPerSecond)),
    writerPerSec: median(writer.map((r) => r.rowsPerSecond)),
    encodePerSec,
    bytesPerRow,
  };
}

interface EndToEndOptions {
  readonly ticks: number;
  readonly ticksPerSecond: number;
  readonly batchRows: number;
  readonly rounds: number;
  readonly busSeconds: number;
  readonly keepLogs: boolean;
  readonly cpuProfileDir: string | undefined;
}

async function endToEnd(schema: BenchSchema, options: EndToEndOptions) {
  const { ticks, batchRows, rounds, busSeconds, keepLogs } = options;
  const pool = schema.pool(1);
  const stack = await PersistenceStack.start(schema, batchRows, options.cpuProfileDir);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stack.stop(keepLogs);
  };
  cleanups.push(stop);
  console.log(`persistence started (pid ${stack.persistence.pid}, RSS ${stack.rssMb().toFixed(0)} MiB)`);
  const e2e: EndToEndRoundResult[] = [];
  const bus: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const result = await runEndToEndRound(stack, pool, { ticks, round, ticksPerSecond: options.ticksPerSecond });
    e2e.push(result);
    const memory = await stack.memoryMb();
    console.log(
      `round ${round} end to end ${describeRound(result)}, published in ${result.publishSeconds.toFixed(2)} s; ` +
        `persistence RSS ${stack.rssMb().toFixed(0)} MiB (heap ${memory.heapUsed.toFixed(0)} of ${memory.heapTotal.toFixed(0)} MiB, ` +
        `outside the heap ${memory.external.toFixed(0)} MiB)`,
    );
    const { cpu } = result;
    console.log(`        CPU % of one core: persistence ${cpu.persistence}, hub ${cpu.hub}, its PostgreSQL backends ${cpu.postgres}`);
    const busRate = await runBusRawTrial(__filename, busSeconds);
    bus.push(busRate);
    console.log(`round ${round} bus raw    ${fmt(busRate).padStart(9)} msgs/s  (zeromq.js PUB → SUB over tcp, direct, no hub; one quote envelope per message)`);
  }
  const peakRssMb = stack.peakRssMb();
  await stop();
  return {
    e2ePerSec: median(e2e.map((r) => r.rowsPerSecond)),
    busPerSec: median(bus),
    peakRssMb,
    cpuPct: {
      persistence: median(e2e.map((r) => r.cpu.persistence)),
      hub: median(e2e.map((r) => r.cpu.hub)),
      postgres: median(e2e.map((r) => r.cpu.postgres)),
    },
  };
}

async function main(): Promise<void> {
  const rows = benchNumberArg('rows', 300_000, 1, true);
  const batchRows = benchNumberArg('batch', 10_000, 1, true);
  const rounds = benchNumberArg('rounds', 5, 1, true);
  const e2eRows = benchNumberArg('e2e-rows', 300_000, 1, true);
  const e2eRounds = benchNumberArg('e2e-rounds', 3, 1, true);
  const busSeconds = benchNumberArg('bus-seconds', 2, 1, true);
  const e2eRate = benchNumberArg('e2e-rate', 0, 0, true);
  const keepLogs = process.argv.includes('--keep-logs');
  const cpuProfileDir = benchTextArg('cpu-prof');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  ensureBundles(root, ['hub', 'persistence']);
  const schema = await createBenchSchema();
  cleanups.push(() => schema.drop());
  console.log(
    `storage bench: schema ${schema.name} (${schema.migration.path} path, schema version ${schema.migration.version}), ` +
      `${fmt(rows)} quotes × ${rounds} rounds per side in COPYs of ${fmt(batchRows)} rows on one connection; ` +
      `end to end ${fmt(e2eRows)} quotes × ${e2eRounds} rounds ${e2eRate > 0 ? `at ${fmt(e2eRate)} quotes/s` : 'as fast as published'}`,
  );
  const copy = await copyComparison(schema, rows, batchRows, rounds);
  const ratio = copy.writerPerSec / copy.rawPerSec;
  const e2e = await endToEnd(schema, { ticks: e2eRows, ticksPerSecond: e2eRate, batchRows, rounds: e2eRounds, busSeconds, keepLogs, cpuProfileDir });
  await cleanUp();

  // Other work on the machine slows every figure: say how busy it was.
  const load = loadavg()[0] as number;
  console.log(`load average ${load.toFixed(2)} over the last minute on ${cpus().length} CPUs`);
  console.log(`median raw COPY ${fmt(copy.rawPerSec)} rows/s, writer ${fmt(copy.writerPerSec)} rows/s: ratio ${ratio.toFixed(2)} (goal ≥ ${GOAL_RATIO}): goal ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'}`);
  console.log(
    `median end to end ${fmt(e2e.e2ePerSec)} rows/s (market-data → hub → persistence → PostgreSQL) beside bus raw ${fmt(e2e.busPerSec)} msgs/s ` +
      `(a direct PUB → SUB, no hub: the bus's own ceiling, not the path end to end takes); persistence peak RSS ${e2e.peakRssMb.toFixed(0)} MiB`,
  );
  // The extra figures on their own line: the last line is exactly the issue's object.
  console.log(
    JSON.stringify({
      bench: 'storage-details',
      goalMet: ratio >= GOAL_RATIO,
      encodeRowsPerSec: Math.round(copy.encodePerSec),
      bytesPerRow: Math.round(copy.bytesPerRow),
      rows,
      batchRows,
      rounds,
      e2eRows,
      e2eRounds,
      e2eRate,
      e2eCpuPct: e2e.cpuPct,
      loadAvg1m: Number(load.toFixed(2)),
    }),
  );
  console.log(
    JSON.stringify({
      bench: 'storage',
      rawRowsPerSec: Math.round(copy.rawPerSec),
      writerRowsPerSec: Math.round(copy.writerPerSec),
      ratio: Number(ratio.toFixed(3)),
      endToEndRowsPerSec: Math.round(e2e.e2ePerSec),
      // A direct PUB → SUB rate; the end-to-end figure goes through the hub (see the line above).
      busRawMsgsPerSec: Math.round(e2e.busPerSec),
      peakRssMb: Number(e2e.peakRssMb.toFixed(1)),
    }),
  );
}

const roleIndex = process.argv.indexOf('--role');
const role = roleIndex >= 0 ? process.argv[roleIndex + 1] : undefined;
const run =
  role === undefined
    ? main()
    : (BUS_ROLES as readonly string[]).includes(role)
      ? runBusRole(role as BusRole, process.argv)
      : Promise.reject(new Error(`--role: expected one of ${BUS_ROLES.join(', ')}, was ${role}`));
run.catch(async (error: unknown) => {
  console.error(error);
  await cleanUp();
  process.exit(1);
});
