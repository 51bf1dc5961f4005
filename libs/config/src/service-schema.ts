import type convict from 'convict';
import { hostname } from 'node:os';

/** Log levels, most severe first; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings every service has, under the `service` key. */
export interface ServiceConfig {
  /** Service name, as in `sys.status.<service>.<instance>` and in logs and metrics. */
  name: string;
  /** Identifies this process among replicas of the service. */
  instance: string;
  /** Lowest level that is logged. */
  logLevel: LogLevel;
  /** Interface the metrics and health server listens on. */
  httpHost: string;
  /** Port of the metrics and health server; 0 picks a free one (logged at start-up). */
  httpPort: number;
  /** Milliseconds a graceful shutdown may take (drain, flush, close) before the process exits. */
  shutdownTimeout: number;
}

/** Per-service defaults for {@link serviceSchema}. */
export interface ServiceSchemaDefaults {
  /** Default for `service.httpPort`; 0 (pick a free port) when omitted. */
  readonly httpPort?: number;
  /** Default for `service.shutdownTimeout` in milliseconds; 10 s when omitted. */
  readonly shutdownTimeout?: number;
}

/**
 * The `service` section every service's schema includes. A function because the name
 * and some defaults differ per service.
 *
 * @example
 * const schema = { service: serviceSchema('gateway', { httpPort: 9102 }), bus: busSchema };
 */
export function serviceSchema(name: string, defaults: ServiceSchemaDefaults = {}): convict.Schema<ServiceConfig> {
  return {
    name: {
      doc: 'Service name used in topics, logs and metrics.',
      format: 'nonempty-string',
      default: name,
    },
    instance: {
      doc: 'Identifies this process among replicas; defaults to <hostname>-<pid>.',
      format: 'nonempty-string',
      default: `${hostname()}-${process.pid}`,
    },
    logLevel: {
      doc: `Lowest level that is logged: ${LOG_LEVELS.join(', ')}.`,
      format: [...LOG_LEVELS],
      default: 'info',
    },
    httpHost: {
      doc: 'Interface the metrics and health server listens on; 0.0.0.0 inside a container.',
      format: 'nonempty-string',
      default: '127.0.0.1',
    },
    httpPort: {
      doc: 'Port of the /metrics, /healthz and /readyz server; 0 picks a free port.',
      format: 'port',
      default: defaults.httpPort ?? 0,
    },
    shutdownTimeout: {
      doc: 'How long a graceful shutdown may take before the process exits anyway.',
      format: 'duration',
      default: defaults.shutdownTimeout ?? 10_000,
    },
  };
}
