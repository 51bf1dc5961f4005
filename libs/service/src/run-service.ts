import { ConfigError, loadConfig, serviceSchema, type LoadedConfig, type ServiceConfig } from '@ttquant/config';
import { createLogger, type Logger } from '@ttquant/logging';
import { createMetrics, startHealthServer } from '@ttquant/metrics';
import type convict from 'convict';
import type { Registry } from 'prom-client';
import { EXIT_CODES, StartupError, type ExitCode } from './exit-codes';

/** What a service's `start` function receives. */
export interface ServiceContext<T> {
  readonly config: LoadedConfig<T & { service: ServiceConfig }>;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Marks the service ready (or not, with a reason shown at `/readyz`). Starts not ready. */
  setReady(ready: boolean, reason?: string): void;
  /**
   * Registers a step of the graceful shutdown. Steps run one after another in
   * reverse order of registration: what started last stops first.
   */
  onShutdown(name: string, step: () => Promise<void> | void): void;
  /** Aborted when shutdown begins: long-running loops stop taking new work. */
  readonly stopping: AbortSignal;
  /** Asks for a graceful shutdown from inside the service (e.g. a fatal venue error). */
  requestShutdown(reason: string, exitCode?: ExitCode): void;
}

/** How to run a service. */
export interface RunServiceOptions<T> {
  /** Service name: selects `config/<name>.toml` and names logs, metrics and topics. */
  readonly name: string;
  /** The service's own config schema; the shared `service` section is added. */
  readonly schema: convict.Schema<T>;
  readonly defaultHttpPort?: number;
  /** Default of `service.shutdownTimeout` for this service, in ms (10 s when omitted). */
  readonly defaultShutdownTimeout?: number;
  /** Builds and starts the service; resolves once it is running. */
  start(ctx: ServiceContext<T>): Promise<void>;
  /** For tests: no process exit, no signal handlers. */
  readonly embedded?: boolean;
  readonly argv?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly configDir?: string;
}

/** A service started by {@link runService}. */
export interface RunningService {
  /** Port of the metrics and health server. */
  readonly httpPort: number;
  /** Runs the graceful shutdown; resolves with the exit code it would use. */
  shutdown(reason: string): Promise<ExitCode>;
  /** Resolves with the exit code once the service has stopped. */
  readonly stopped: Promise<ExitCode>;
}

/**
 * Runs a service the same way everywhere: config loaded and validated once,
 * a pino logger, Prometheus metrics with `/metrics`, `/healthz` and `/readyz`,
 * graceful shutdown on SIGTERM and SIGINT (steps in reverse order, bounded by
 * `service.shutdownTimeout`) and exit codes from {@link EXIT_CODES}.
 *
 * @example
 * void runService({ name: 'hub', schema: { bus: busSchema }, async start(ctx) {
 *   const proxy = await startProxy(...);
 *   ctx.onShutdown('proxy', () => proxy.close());
 *   ctx.setReady(true);
 * } });
 */
export async function runService<T>(options: RunServiceOptions<T>): Promise<RunningService> {
  const fail = (message: string, code: ExitCode, error?: unknown): never => {
    if (options.embedded) throw new StartupError(message, code, { cause: error });
    process.stderr.write(`${options.name}: ${message}\n`);
    process.exit(code);
  };

  let config: LoadedConfig<T & { service: ServiceConfig }>;
  try {
    const schema = { ...options.schema, service: serviceSchema(options.name, {
        httpPort: options.defaultHttpPort,
        shutdownTimeout: options.defaultShutdownTimeout,
      }) };
    config = loadConfig(schema as convict.Schema<T & { service: ServiceConfig }>, {
      service: options.name,
      ...(options.argv ? { argv: options.argv } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.configDir ? { configDir: options.configDir } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message, EXIT_CODES.config, error);
    return fail(`cannot load configuration: ${(error as Error).message}`, EXIT_CODES.config, error);
  }

  const service = config.properties.service;
  const logger = createLogger({ service: service.name, instance: service.instance, level: service.logLevel });
  for (const warning of config.warnings) logger.warn(warning);
  const registry = createMetrics({ service: service.name, instance: service.instance });

  let ready = false;
  let notReadyReason = 'starting';
  const steps: { name: string; step: () => Promise<void> | void }[] = [];
  const stopController = new AbortController();
  let resolveStopped!: (code: ExitCode) => void;
  const stopped = new Promise<ExitCode>((resolve) => (resolveStopped = resolve));
  let shutdownPromise: Promise<ExitCode> | undefined;

  const health = await startHealthServer({
    port: service.httpPort,
    host: service.httpHost,
    registry,
    readiness: () => (ready ? true : { ok: false, reason: notReadyReason }),
    logger,
  }).catch((error: unknown) =>
    fail(`cannot serve health on ${service.httpHost}:${service.httpPort}: ${(error as Error).message}`, EXIT_CODES.unavailable, error),
  );

  const shutdown = (reason: string, exitCode: ExitCode = EXIT_CODES.ok): Promise<ExitCode> => {
    if (shutdownPromise) return shutdownPromise;
    shutdownPromise = (async () => {
      logger.info({ reason }, 'shutting down');
      ready = false;
      notReadyReason = 'shutting down';
      stopController.abort();
      const timedOut = await runStepsWithin(steps, service.shutdownTimeout, logger);
      await health.close().catch(() => undefined);
      const code = timedOut ? EXIT_CODES.shutdownTimeout : exitCode;
      logger.info({ exitCode: code }, 'stopped');
      resolveStopped(code);
      return code;
    })();
    return shutdownPromise;
  };

  const ctx: ServiceContext<T> = {
    config,
    logger,
    registry,
    setReady(value, reason) {
      if (value !== ready) logger.info({ ready: value, reason }, value ? 'ready' : 'not ready');
      ready = value;
      notReadyReason = reason ?? (value ? '' : 'not ready');
    },
    onShutdown(name, step) {
      steps.push({ name, step });
    },
    stopping: stopController.signal,
    requestShutdown(reason, exitCode = EXIT_CODES.internal) {
      void shutdown(reason, exitCode);
    },
  };

  if (!options.embedded) {
    const onSignal = (signal: NodeJS.Signals) => void shutdown(signal);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    process.on('uncaughtException', (error) => {
      logger.fatal({ err: error }, 'uncaught exception');
      void shutdown('uncaught exception', EXIT_CODES.internal);
    });
    process.on('unhandledRejection', (error) => {
      logger.fatal({ err: error }, 'unhandled promise rejection');
      void shutdown('unhandled promise rejection', EXIT_CODES.internal);
    });
    void stopped.then((code) => {
      logger.flush();
      process.exitCode = code;
      // Sockets with linger or stray timers must not keep a stopped service alive.
      setTimeout(() => process.exit(code), 200).unref();
    });
  }

  logger.info({ config: config.toSafeJSON(), sources: config.sources, httpPort: health.port }, 'starting');
  try {
    await options.start(ctx);
  } catch (error) {
    const code = error instanceof StartupError ? error.exitCode : EXIT_CODES.internal;
    logger.fatal({ err: error }, 'start-up failed');
    await shutdown('start-up failed', code);
    if (options.embedded) throw error;
  }
  return { httpPort: health.port, shutdown: (reason) => shutdown(reason), stopped };
}

/** Time a step still gets once the deadline has passed: flushing what was accepted beats exiting on time. */
const LATE_STEP_GRACE_MS = 1_000;

/**
 * Runs the steps last-registered first; true when the deadline passed. A step
 * that overruns does not cancel the ones after it (they may hold data still to
 * be written): each later step still runs, with a short grace once time is up.
 */
async function runStepsWithin(
  steps: readonly { name: string; step: () => Promise<void> | void }[],
  timeoutMs: number,
  logger: Logger,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let late = false;
  for (const { name, step } of [...steps].reverse()) {
    const left = Math.max(deadline - Date.now(), LATE_STEP_GRACE_MS);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      Promise.resolve()
        .then(step)
        .then(() => 'done' as const)
        .catch((error: unknown) => {
          logger.error({ err: error, step: name }, 'shutdown step failed');
          return 'failed' as const;
        }),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), left))),
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      logger.error({ step: name, timeoutMs }, 'shutdown step did not finish in time: going on with the next steps');
      late = true;
    }
  }
  return late || Date.now() > deadline;
}
