import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { MetricsError } from './metrics-error';

/** A check's answer: a plain yes/no, or a yes/no with the reason shown to the prober. */
export type HealthCheckResult = boolean | { readonly ok: boolean; readonly reason?: string };

/** A liveness or readiness check; may be async. Throwing counts as "no", with the error as reason. */
export type HealthCheck = () => HealthCheckResult | Promise<HealthCheckResult>;

/** The few logger methods the server uses; a pino logger fits. */
export interface HealthServerLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** How to run the metrics and health server. */
export interface HealthServerOptions {
  /** Port to listen on; 0 picks a free one (see {@link HealthServer.port}). */
  readonly port: number;
  /** Interface to listen on; `127.0.0.1` when omitted, `0.0.0.0` to be reachable in a container. */
  readonly host?: string;
  /** Registry served at `/metrics`. */
  readonly registry: Registry;
  /** Whether the service can take work now (connected, reconciled…): `/readyz`. */
  readonly readiness: HealthCheck;
  /** Whether the process is working at all: `/healthz`. Always yes when omitted. */
  readonly liveness?: HealthCheck;
  /** Logs start-up and every change of readiness or liveness (not every probe). */
  readonly logger?: HealthServerLogger;
  /** A check that takes longer than this counts as failed; 5000 ms when omitted. */
  readonly checkTimeoutMs?: number;
}

/** A running server. */
export interface HealthServer {
  /** The port actually bound (the free port chosen when 0 was asked for). */
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:9102`. */
  readonly url: string;
  /** Stops listening and drops open connections; safe to call twice. */
  close(): Promise<void>;
}

interface Verdict {
  readonly ok: boolean;
  readonly reason: string | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const ALWAYS_ALIVE: HealthCheck = () => true;

/**
 * Starts the HTTP server every service runs for its operators:
 * - `GET /metrics`: Prometheus text format;
 * - `GET /healthz`: 200 while alive, 503 otherwise (restart me);
 * - `GET /readyz`: 200 when ready, 503 with `{ "status": "not ready", "reason": … }` otherwise
 *   (do not send me work yet);
 * - anything else: 404 (405 for a known path with a method other than GET or HEAD).
 *
 * @throws MetricsError when the port cannot be bound
 * @example
 * const server = await startHealthServer({ port: 0, registry, readiness: () => gateway.isReconciled() });
 * logger.info({ url: server.url }, 'metrics and health endpoints up');
 * // on shutdown
 * await server.close();
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.checkTimeoutMs ?? 5_000;
  const readiness = new CheckRunner('readiness', options.readiness, timeoutMs, options.logger);
  const liveness = new CheckRunner('liveness', options.liveness ?? ALWAYS_ALIVE, timeoutMs, options.logger);

  const server = createServer((req, res) => {
    handle(req, res, options.registry, readiness, liveness).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, JSON_TYPE, JSON.stringify({ error: errorText(err) }));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(new MetricsError(`cannot listen on ${host}:${options.port}: ${err.code ?? err.message}`));
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(host)}:${port}`;
  options.logger?.info({ url }, 'metrics and health server listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections (Prometheus, fetch) would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  registry: Registry,
  readiness: CheckRunner,
  liveness: CheckRunner,
): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz') {
    send(res, 404, JSON_TYPE, JSON.stringify({ error: 'not found', expected: ['/metrics', '/healthz', '/readyz'] }));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, JSON_TYPE, JSON.stringify({ error: `expected GET or HEAD, was ${req.method ?? 'nothing'}` }));
    return;
  }
  if (path === '/metrics') {
    send(res, 200, registry.contentType, await registry.metrics());
    return;
  }
  const [check, okStatus, failStatus] =
    path === '/readyz' ? [readiness, 'ready', 'not ready'] : [liveness, 'alive', 'not alive'];
  const verdict = await check.run();
  const body = verdict.ok ? { status: okStatus } : { status: failStatus, reason: verdict.reason };
  send(res, verdict.ok ? 200 : 503, JSON_TYPE, JSON.stringify(body));
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Runs one check with a time limit and logs when its answer changes. */
class CheckRunner {
  private last: boolean | undefined;

  constructor(
    private readonly name: string,
    private readonly check: HealthCheck,
    private readonly timeoutMs: number,
    private readonly logger: HealthServerLogger | undefined,
  ) {}

  async run(): Promise<Verdict> {
    const verdict = await this.evaluate();
    if (verdict.ok !== this.last) {
      this.last = verdict.ok;
      if (verdict.ok) this.logger?.info({ check: this.name }, `${this.name} check passes`);
      else this.logger?.warn({ check: this.name, reason: verdict.reason }, `${this.name} check fails`);
    }
    return verdict;
  }

  private async evaluate(): Promise<Verdict> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Verdict>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, reason: `${this.name} check took longer than ${this.timeoutMs} ms` }),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.answer(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async answer(): Promise<Verdict> {
    try {
      const result = await this.check();
      if (typeof result === 'boolean') {
        return { ok: result, reason: result ? undefined : `${this.name} check returned false` };
      }
      return { ok: result.ok, reason: result.ok ? undefined : (result.reason ?? `${this.name} check returned not ok`) };
    } catch (err) {
      return { ok: false, reason: `${this.name} check threw: ${errorText(err)}` };
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A host usable in a URL: wildcard binds are reached on loopback, IPv6 goes in brackets. */
function urlHost(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
