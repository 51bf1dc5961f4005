import type { BusConfig } from '@ttquant/config';
import { describeExit, isCleanExit, ServiceChild } from '@ttquant/service';
import { allocateStackWiring } from '@ttquant/service-bus';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_EXIT, type CliExitCode } from '../cli-errors';
import { redactPassword } from '../database-url';
import { jsonText, type CliIo } from '../output';
import { createRunDatabase, readStoredRun, type StoredRun } from './sim-database';
import { startEmbeddedServer, type EmbeddedServerProcess } from './sim-db-server';
import { serviceEnvironment, SIM_SERVICES, type SimService } from './sim-endpoints';
import { progressLine, SimMonitor } from './sim-monitor';
import { createRunFolder, newRunId, type SimStrategySettings } from './sim-run-folder';
import { buildSummary, renderSummary, type SimSummary } from './sim-summary';
import { inheritedEnvironment, profileEnvironment, writeProfileConfig, type SimVenueProfile } from './sim-venue-profile';

/** How long a service may take to become ready. */
const READY_TIMEOUT_MS = 60_000;
/** How long a service may take to stop after SIGTERM before it is killed (its own shutdown timeout is 10 s). */
const STOP_DEADLINE_MS = 15_000;
/** Producers first, persistence after them, the hub last. */
const STOP_ORDER: readonly SimService[] = ['market-data', 'strategy-engine', 'gateway', 'persistence', 'hub'];
/** Services that publish heartbeats with the summary's counters. */
const REPORTING: readonly SimService[] = ['market-data', 'strategy-engine', 'gateway', 'persistence'];
const NON_TTY_PROGRESS_EVERY_MS = 5_000;

/** Settings of one simulation run. */
export interface SimOptions {
  /** Run this long, or until Ctrl-C when undefined. */
  readonly durationMs: number | undefined;
  /** Write the summary as JSON here. */
  readonly summaryFile: string | undefined;
  /** Print the summary as JSON on stdout instead of text. */
  readonly json: boolean;
  readonly account: string;
  /** Random-walk quotes per second per instrument. */
  readonly ticksPerSecond: number;
  /** Fault drill: market-data journals but does not send every Nth tick (0: never). */
  readonly dropTickEvery: number;
  readonly strategy: SimStrategySettings;
  /** The venue the gateway and market-data use: the sim (default) or an IB TWS / IB Gateway. */
  readonly venue?: SimVenueProfile;
  /** PostgreSQL server to create the run's database on; empty: the embedded server. */
  readonly databaseUrl: string;
  /** Working directory: `.data/runs/` and `.data/postgres` go below it. */
  readonly cwd: string;
  /** The folder with the built apps (`dist/apps`). */
  readonly appsDir: string;
  /** How the launcher's own sockets reach the hub (timeouts, high-water marks). */
  readonly bus: BusConfig;
}

/**
 * Runs the whole platform on the simulated venue: creates the run folder and
 * database, starts hub → persistence → gateway → strategy-engine →
 * market-data (each awaited at `/readyz`), shows one progress line, and on
 * Ctrl-C or after the duration stops producers first, persistence after
 * them and the hub last. Then it reads what was stored and prints the
 * summary. Exit 1 when any service failed (died, exited non-zero, or had to
 * be killed).
 */
export async function runSimulation(options: SimOptions, io: CliIo, signal: AbortSignal): Promise<CliExitCode> {
  const runId = newRunId();
  const runDir = createRunFolder(options.cwd, runId, options.strategy);
  const venue: SimVenueProfile = options.venue ?? { kind: 'sim' };
  writeProfileConfig(runDir, runId, venue);
  const failures: string[] = [];
  const children = new Map<SimService, ServiceChild>();
  let dbServer: EmbeddedServerProcess | undefined;
  // If the launcher itself dies, its services must not live on without it.
  const safetyNet = () => {
    for (const child of children.values()) child.signal('SIGTERM');
    dbServer?.kill();
  };
  process.on('exit', safetyNet);
  const monitor = new SimMonitor(options.account);
  let monitoring = false;
  let stored: StoredRun | undefined;
  let database = '';
  let databaseUrl = '';
  // Services whose unexpected exit is already among the failures.
  const reported = new Set<SimService>();
  const started = Date.now();
  let ranMs = 0;

  try {
    io.err(`ttq sim: run ${runId}${venue.kind === 'ib' ? ` on IB at ${venue.host}:${venue.port}` : ''}, logs in ${runDir}\n`);
    let serverUrl = options.databaseUrl;
    if (serverUrl === '') {
      io.err('ttq sim: starting the embedded PostgreSQL (.data/postgres)\n');
      dbServer = await startEmbeddedServer(join(options.appsDir, 'cli', 'main.cjs'), options.cwd, join(runDir, 'postgres.log'));
      serverUrl = dbServer.url;
    }
    const runDatabase = await createRunDatabase(serverUrl, runId).catch((error: unknown) => {
      throw new Error(`cannot create the run database on ${redactPassword(serverUrl)}: ${(error as Error).message}`);
    });
    database = runDatabase.name;
    databaseUrl = runDatabase.url;
    io.err(`ttq sim: database ${database} on ${redactPassword(serverUrl)}${runDatabase.dropped.length ? ` (dropped older ${runDatabase.dropped.join(', ')})` : ''}\n`);

    const endpoints = await allocateStackWiring(SIM_SERVICES);
    const settings = {
      endpoints,
      account: options.account,
      databaseUrl: runDatabase.url,
      ticksPerSecond: options.ticksPerSecond,
      dropTickEvery: options.dropTickEvery,
    };
    for (const service of SIM_SERVICES) {
      if (signal.aborted || failures.length > 0) break;
      const child = new ServiceChild({
        name: service,
        bundle: join(options.appsDir, service, 'main.cjs'),
        cwd: runDir,
        env: { ...inheritedEnvironment(process.env), ...serviceEnvironment(service, settings), ...profileEnvironment(service, venue) },
        logFile: join(runDir, `${service}.log`),
        httpPort: endpoints.httpPorts[service],
        // Ctrl-C in the terminal reaches only ttq, which then stops the services in order.
        detached: true,
      });
      children.set(service, child);
      try {
        await child.waitReady(READY_TIMEOUT_MS, signal);
      } catch (error) {
        failures.push((error as Error).message);
        reported.add(service);
        break;
      }
      if (service === 'hub') {
        monitor.connect(endpoints.xpub, options.bus);
        monitoring = true;
      }
      io.err(`ttq sim: ${service} ready (pid ${child.pid ?? '?'})\n`);
    }

    if (failures.length === 0 && !signal.aborted) {
      const runStart = Date.now();
      await watchRun(options, io, signal, monitor, children, failures, reported);
      ranMs = Date.now() - runStart;
    }
  } catch (error) {
    failures.push((error as Error).message);
  } finally {
    await stopServices(children, failures, reported, io);
    if (monitoring) {
      await Promise.all(REPORTING.filter((s) => children.has(s)).map((s) => monitor.waitForFinalHeartbeat(s, 1_000)));
      await monitor.close();
    }
  }

  try {
    if (databaseUrl !== '' && children.has('persistence')) stored = await readStoredRun(databaseUrl, options.account);
  } catch (error) {
    failures.push(`cannot read the run's database ${database}: ${(error as Error).message}`);
  } finally {
    if (dbServer) {
      const exit = await dbServer.stop();
      if (!isCleanExit(exit)) failures.push(`the embedded PostgreSQL exited with ${describeExit(exit)}; see ${join(runDir, 'postgres.log')}`);
    }
    process.off('exit', safetyNet);
  }

  const heartbeats = Object.fromEntries(REPORTING.map((s) => [s, monitor.lastHeartbeat(s)]));
  const summary = buildSummary({
    account: options.account,
    runId,
    runDir,
    database,
    durationSeconds: Math.round((ranMs || Date.now() - started) / 100) / 10,
    heartbeats,
    positions: monitor.snapshot().positions,
    stored,
  });
  if (children.size > 0) report(summary, options, io);
  for (const failure of failures) io.err(`ttq sim: FAILED: ${failure}\n`);
  return failures.length > 0 ? CLI_EXIT.failed : CLI_EXIT.ok;
}

/** Shows progress until the duration is over, Ctrl-C, or a service dies. */
async function watchRun(
  options: SimOptions,
  io: CliIo,
  signal: AbortSignal,
  monitor: SimMonitor,
  children: ReadonlyMap<SimService, ServiceChild>,
  failures: string[],
  reported: Set<SimService>,
): Promise<void> {
  const startedAt = Date.now();
  const endAt = options.durationMs === undefined ? Infinity : startedAt + options.durationMs;
  let died: { service: SimService; child: ServiceChild; exit: string } | undefined;
  const anyExit = Promise.race(
    [...children.entries()].map(([service, child]) => child.exited.then((exit) => ({ service, child, exit: describeExit(exit) }))),
  );
  void anyExit.then((value) => (died ??= value));
  const aborted = new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  let lastTicks = monitor.snapshot().ticks;
  let lastAt = startedAt;
  let lastPrinted = 0;
  while (!signal.aborted && died === undefined && Date.now() < endAt) {
    await Promise.race([new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(1_000, endAt - Date.now())))), aborted, anyExit]);
    const now = Date.now();
    const snapshot = monitor.snapshot();
    const rate = now > lastAt ? ((snapshot.ticks - lastTicks) * 1_000) / (now - lastAt) : 0;
    [lastTicks, lastAt] = [snapshot.ticks, now];
    const line = progressLine({ elapsedMs: now - startedAt, durationMs: options.durationMs, ticksPerSecond: rate, snapshot });
    if (io.errIsTty) io.err(`\r\x1b[2K${io.errColumns ? line.slice(0, io.errColumns - 1) : line}`);
    else if (now - lastPrinted >= NON_TTY_PROGRESS_EVERY_MS || now >= endAt) {
      io.err(`${line}\n`);
      lastPrinted = now;
    }
  }
  if (io.errIsTty) io.err('\n');
  if (died) {
    failures.push(`${died.service} exited with ${died.exit} during the run\n${died.child.logTail()}`);
    reported.add(died.service);
  } else if (signal.aborted) {
    io.err('ttq sim: interrupted, stopping\n');
  }
}

/** Stops the services that run: producers first, each awaited with a deadline, persistence after them, the hub last. */
async function stopServices(
  children: ReadonlyMap<SimService, ServiceChild>,
  failures: string[],
  reported: ReadonlySet<SimService>,
  io: CliIo,
): Promise<void> {
  for (const service of STOP_ORDER) {
    const child = children.get(service);
    if (!child) continue;
    const earlier = child.exitStatus;
    const { exit, killed } = await child.stop(STOP_DEADLINE_MS);
    if (earlier) {
      // It ended before being asked to: that is a failure whatever its code.
      if (!reported.has(service)) failures.push(`${service} exited with ${describeExit(earlier)} before it was stopped\n${child.logTail()}`);
    } else if (killed) failures.push(`${service} did not stop within ${STOP_DEADLINE_MS / 1_000} s and was killed\n${child.logTail()}`);
    else if (!isCleanExit(exit)) failures.push(`${service} exited with ${describeExit(exit)} when stopped\n${child.logTail()}`);
    else io.err(`ttq sim: ${service} stopped\n`);
  }
}

function report(summary: SimSummary, options: SimOptions, io: CliIo): void {
  if (options.summaryFile) writeFileSync(options.summaryFile, jsonText(summary));
  io.out(options.json ? jsonText(summary) : renderSummary(summary));
}
