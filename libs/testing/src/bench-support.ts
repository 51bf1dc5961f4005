import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceApp } from './service-process';

/**
 * CPU seconds (user + system) a process has used so far, from /proc; NaN where
 * there is no /proc. Clock ticks are taken as 100 per second (Linux's USER_HZ).
 */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Share of one CPU each process used between two {@link processCpuSeconds} readings. */
export function cpuShares(before: readonly number[], after: readonly number[], seconds: number): number[] {
  return before.map((b, i) => Math.round((((after[i] as number) - b) / seconds) * 100));
}

/** Busy CPU seconds of the whole machine so far, all CPUs together, from /proc/stat; NaN where there is none. */
export function machineCpuSeconds(): number {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] as string).trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Pids of the kernel's DAMON threads (`kdamond.N`), if the kernel runs any. */
function kdamondPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('kdamond');
        } catch {
          return false; // exited meanwhile
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** What a {@link CpuWindow} measured, each as percent of one CPU unless named otherwise. */
export interface CpuWindowReading {
  /** Each watched process, in the order given. */
  readonly shares: number[];
  /** Everything else on the machine: other processes and the kernel (the bench's own process excluded). */
  readonly otherPct: number;
  /**
   * Milliseconds per second the kernel's DAMON threads ran. Where the kernel
   * reclaims memory with DAMON (some VMs), kdamond holds a core for 3-4 ms at
   * a time, and any thread woken on that core waits: the multi-millisecond
   * stalls every pipeline shows (docs/performance.md).
   */
  readonly kdamondMsPerS: number;
}

/**
 * CPU use over a measuring window: the watched processes, everything else on
 * the machine, and the kernel's DAMON threads, so a round's tail can be read
 * against what else was running.
 */
export class CpuWindow {
  private constructor(
    private readonly pids: readonly (number | undefined)[],
    private readonly processes: readonly number[],
    private readonly machine: number,
    private readonly kdamond: readonly number[],
    private readonly kdamondBefore: readonly number[],
  ) {}

  static open(pids: readonly (number | undefined)[]): CpuWindow {
    const kdamond = kdamondPids();
    return new CpuWindow(pids, [...pids, process.pid].map(processCpuSeconds), machineCpuSeconds(), kdamond, kdamond.map(processCpuSeconds));
  }

  close(seconds: number): CpuWindowReading {
    const processes = [...this.pids, process.pid].map(processCpuSeconds);
    const used = processes.map((after, i) => after - (this.processes[i] as number));
    const other = machineCpuSeconds() - this.machine - used.reduce((sum, s) => sum + s, 0);
    const kdamond = this.kdamond.map(processCpuSeconds).reduce((sum, after, i) => sum + (after - (this.kdamondBefore[i] as number)), 0);
    return {
      shares: cpuShares(this.processes.slice(0, this.pids.length), processes.slice(0, this.pids.length), seconds),
      otherPct: Math.max(0, Math.round((other / seconds) * 100)),
      kdamondMsPerS: Math.round((kdamond * 1000) / seconds),
    };
  }
}

/**
 * Waits for an IPC message of `type` from a forked bench role; rejects if the
 * child exits first, so a crashed role fails the bench instead of hanging it.
 */
export function waitForChildMessage<T>(child: ChildProcess, role: string, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null): void => reject(new Error(`expected "${type}" from ${role}, it exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * The value after `--<name>` on this process's command line; undefined when the
 * flag is absent, an error when it is given without a value.
 */
export function benchTextArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name}: expected a value, found none`);
  return value;
}

/**
 * The number after `--<name>`, or `fallback` when the flag is absent. It must
 * be at least `min` and, with `integer`, whole: a bench run on a mistyped
 * setting would print figures nobody asked for.
 */
export function benchNumberArg(name: string, fallback: number, min: number, integer = false): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  const valid = integer ? Number.isInteger(value) : Number.isFinite(value);
  if (!valid || value < min) {
    throw new Error(`--${name}: expected ${integer ? 'an integer' : 'a number'} >= ${min}, was ${process.argv[i + 1]}`);
  }
  return value;
}

/** Newest modification time (ms) of the TypeScript sources under `dir`; specs, tests and benches excluded. */
function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['node_modules', 'e2e', 'bench'].includes(entry.name) || entry.name.startsWith('.')) continue;
      newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds the bundles (`dist/apps/<app>/main.cjs`) of `apps` when one is missing
 * or older than the sources of its app or of any library, so a bench never
 * measures stale code. Build output goes to stderr: a bench's stdout ends with
 * its JSON.
 */
export function ensureBundles(root: string, apps: readonly ServiceApp[]): void {
  const libs = newestSource(join(root, 'libs'));
  const stale = apps.filter((app) => {
    const bundle = join(root, 'dist', 'apps', app, 'main.cjs');
    return !existsSync(bundle) || statSync(bundle).mtimeMs < Math.max(libs, newestSource(join(root, 'apps', app, 'src')));
  });
  if (stale.length === 0) return;
  console.error(`building ${stale.join(', ')} (bundles missing or older than the sources)…`);
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...stale, '--outputStyle=static'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (build.status !== 0) throw new Error(`expected the build of ${stale.join(', ')} to succeed, it exited with ${build.status}`);
}
