import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { freeTcpPort } from '@ttquant/bus';
import { join, resolve } from 'node:path';

/** The repository root (this file lives in libs/testing/src). */
export const REPO_ROOT = resolve(__dirname, '../../..');

/** The services an e2e test can start, as built by `nx build`. */
export const SERVICE_APPS = ['hub', 'market-data', 'gateway', 'strategy-engine', 'persistence', 'cli'] as const;
export type ServiceApp = (typeof SERVICE_APPS)[number];

/** Path of an app's bundle. */
export function bundlePath(app: ServiceApp): string {
  return join(REPO_ROOT, 'dist/apps', app, 'main.cjs');
}

/**
 * Fails fast, naming the command to run, when an app was not built. The test
 * targets depend on the apps' build targets, so nx builds them first.
 */
export function assertBuilt(apps: readonly ServiceApp[]): void {
  const missing = apps.filter((app) => !existsSync(bundlePath(app)));
  if (missing.length > 0) {
    throw new Error(`apps not built: ${missing.join(', ')}; run: npx nx run-many -t build -p ${missing.join(' ')}`);
  }
}

/** Free TCP ports on 127.0.0.1, distinct from each other. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freeTcpPort());
  return ports;
}

/** Polls `check` until it returns a truthy value; fails with `what` after the timeout. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** How a service process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Settings of {@link ServiceProcess.start}. */
export interface ServiceProcessOptions {
  readonly app: ServiceApp;
  /** Working directory: where `.data/` (journals, embedded database) goes. */
  readonly cwd: string;
  /** Port of its `/healthz` `/readyz` server (`TTQ_SERVICE_HTTP_PORT`). */
  readonly httpPort: number;
  /** Extra environment, typically `TTQ_*` settings. */
  readonly env?: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
  /** Arguments for node itself, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** Send output to this file instead of keeping it in memory (long, busy runs such as benches). */
  readonly logFile?: string;
  /** Drop the caller's own `TTQ_*` variables, so only `env` (and config files) configure the service. */
  readonly cleanEnv?: boolean;
  /** Wait for `/readyz` before resolving. Default true. */
  readonly waitReady?: boolean;
  readonly readyTimeoutMs?: number;
}

/**
 * One TTQuant service run as a real OS process from its bundle, with its
 * output kept for assertions and failure messages.
 */
export class ServiceProcess {
  readonly exited: Promise<ProcessExit>;
  private output = '';

  private constructor(
    readonly app: ServiceApp,
    readonly httpPort: number,
    private readonly child: ChildProcess,
    private readonly logFile: string | undefined,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  }

  /** Starts the process and (by default) waits until it is ready. */
  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    assertBuilt([options.app]);
    mkdirSync(options.cwd, { recursive: true });
    const inherited = options.cleanEnv
      ? Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TTQ_')))
      : process.env;
    const out = options.logFile ? openSync(options.logFile, 'a') : undefined;
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bundlePath(options.app), ...(options.args ?? [])], {
      cwd: options.cwd,
      env: {
        ...inherited,
        TZ: 'UTC',
        TTQ_SERVICE_HTTP_PORT: String(options.httpPort),
        TTQ_SERVICE_LOG_LEVEL: process.env['TTQ_TEST_LOG_LEVEL'] ?? 'info',
        ...options.env,
      },
      stdio: out === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', out, out],
    });
    if (out !== undefined) closeSync(out);
    const service = new ServiceProcess(options.app, options.httpPort, child, options.logFile);
    if (options.waitReady ?? true) await service.waitReady(options.readyTimeoutMs);
    return service;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Everything the process wrote so far (JSON log lines). */
  get logs(): string {
    if (this.logFile === undefined) return this.output;
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Resolves once `/readyz` answers 200; fails early if the process exits. */
  async waitReady(timeoutMs = 20_000): Promise<void> {
    let exit: ProcessExit | undefined;
    void this.exited.then((e) => (exit = e));
    await waitFor(
      async () => {
        if (exit) throw new Error(`${this.app} exited with ${exit.code ?? exit.signal} before it was ready:\n${this.tail()}`);
        // Bounded: a service that accepts the connection but never answers must not stall the wait.
        const response = await fetch(`http://127.0.0.1:${this.httpPort}/readyz`, { signal: AbortSignal.timeout(1_000) }).catch(
          () => undefined,
        );
        return response?.status === 200;
      },
      `${this.app} to be ready`,
      timeoutMs,
      100,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n--- ${this.app} output ---\n${this.tail()}`);
    });
  }

  /** Sends a signal and waits for the exit, killing the process if it outlives the deadline. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<ProcessExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** The last lines of output, for failure messages. */
  tail(lines = 30): string {
    return this.logs.trim().split('\n').slice(-lines).join('\n');
  }
}
