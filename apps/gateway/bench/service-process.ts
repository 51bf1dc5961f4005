import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The apps a latency round runs, as built bundles. */
export const BENCH_APPS = ['hub', 'gateway', 'strategy-engine', 'market-data'] as const;
/** One of {@link BENCH_APPS}. */
export type BenchApp = (typeof BENCH_APPS)[number];

/** Newest modification time (ms) of the TypeScript sources under `dir`, specs and benches excluded. */
function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'e2e' || entry.name === 'bench' || entry.name.startsWith('.')) continue;
      newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds the bundles (`dist/apps/<app>/main.cjs`) when one is missing or older
 * than the sources of its app or of any library, so a round never measures
 * stale code. Build output goes to stderr: stdout ends with the bench's JSON.
 */
export function ensureBundles(root: string): void {
  const libs = newestSource(join(root, 'libs'));
  const stale = BENCH_APPS.filter((app) => {
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

/** A service started from its bundle, its output going to a log file. */
export class ServiceProcess {
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly app: BenchApp,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? null : 0);
        resolve(this.exitCode);
      }),
    );
  }

  /** Starts `node [nodeArgs] dist/apps/<app>/main.cjs --config <configFile>` in `cwd`. */
  static start(root: string, app: BenchApp, cwd: string, configFile: string, nodeArgs: readonly string[] = []): ServiceProcess {
    const logFile = join(cwd, `${app}.log`);
    const out = openSync(logFile, 'a');
    // The bench's own TTQ_* settings must not leak into the services: the config file says everything.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TTQ_')));
    const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist', 'apps', app, 'main.cjs'), '--config', configFile], {
      cwd,
      env: { ...env, TZ: 'UTC' },
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    return new ServiceProcess(app, logFile, child);
  }

  /** Resolves once `/readyz` answers 200; rejects when the process exits first or the time is up. */
  async waitReady(httpPort: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitCode !== undefined) throw new Error(`${this.app} exited with ${this.exitCode} before it was ready:\n${this.logTail()}`);
      try {
        const response = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`expected ${this.app} ready within ${timeoutMs} ms, it was not:\n${this.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM, then waits for the exit (SIGKILL after `timeoutMs`); resolves with the exit code. */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }

  /** The last lines of the service's log, for error messages. */
  logTail(lines = 15): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
