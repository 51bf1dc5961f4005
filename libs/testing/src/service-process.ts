import { existsSync, mkdirSync } from 'node:fs';
import { freeTcpPort } from '@ttquant/bus';
import { ServiceChild, type ChildExit } from '@ttquant/service';
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
export type ProcessExit = ChildExit;

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
 * output kept for assertions and failure messages: a {@link ServiceChild}
 * with the test environment's defaults.
 */
export class ServiceProcess {
  private constructor(
    readonly app: ServiceApp,
    readonly httpPort: number,
    private readonly child: ServiceChild,
  ) {}

  /** Starts the process and (by default) waits until it is ready. */
  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    assertBuilt([options.app]);
    mkdirSync(options.cwd, { recursive: true });
    const inherited = options.cleanEnv
      ? Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TTQ_')))
      : process.env;
    const child = new ServiceChild({
      name: options.app,
      bundle: bundlePath(options.app),
      cwd: options.cwd,
      env: {
        ...inherited,
        TZ: 'UTC',
        TTQ_SERVICE_HTTP_PORT: String(options.httpPort),
        TTQ_SERVICE_LOG_LEVEL: process.env['TTQ_TEST_LOG_LEVEL'] ?? 'info',
        ...options.env,
      },
      httpPort: options.httpPort,
      ...(options.args ? { args: options.args } : {}),
      ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
      ...(options.logFile ? { logFile: options.logFile } : {}),
    });
    const service = new ServiceProcess(options.app, options.httpPort, child);
    if (options.waitReady ?? true) await service.waitReady(options.readyTimeoutMs);
    return service;
  }

  /** Resolves when the process has exited. */
  get exited(): Promise<ProcessExit> {
    return this.child.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Everything the process wrote so far (JSON log lines). */
  get logs(): string {
    return this.child.logs;
  }

  /** Resolves once `/readyz` answers 200; fails early, with its last output, if the process exits. */
  waitReady(timeoutMs = 20_000): Promise<void> {
    return this.child.waitReady(timeoutMs);
  }

  /** Sends a signal and waits for the exit, killing the process if it outlives the deadline. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<ProcessExit> {
    return (await this.child.stop(timeoutMs, signal)).exit;
  }

  /** The last lines of output, for failure messages. */
  tail(lines = 30): string {
    return this.child.logTail(lines);
  }
}
