import { ibConfigSchema, type IbConfig } from '@ttquant/adapter-ib';
import { busSchema, ConfigError, loadConfig, type BusConfig } from '@ttquant/config';
import type convict from 'convict';
import { UsageError } from './cli-errors';

/** Where `ttq` finds the gateway, under `cli` (`config/cli.toml`, `TTQ_CLI_*`). */
export interface CliEndpoints {
  /** The gateway's PULL endpoint for order commands. */
  gatewayOrders: string;
  /** The gateway's REP endpoint for `state` and `replay`. */
  gatewayControl: string;
  /** How long a request to a service may take before `ttq` gives up (exit 69). */
  requestTimeout: number;
}

/** The database `ttq db migrate` works on. */
export interface CliDatabase {
  /** PostgreSQL URL from `DATABASE_URL`; empty: the embedded server in `.data/postgres`. */
  url: string;
}

/** Everything `ttq` reads from configuration. */
export interface CliConfig {
  bus: BusConfig;
  cli: CliEndpoints;
  database: CliDatabase;
  /** TWS / IB Gateway for `ttq backfill`, under `ib` (`TTQ_IB_*`); the account only from `IB_ACCOUNT`. */
  ib: IbConfig;
}

/** `ttq`'s own IB client id: apart from the services' ids, so a backfill never takes over their session (326). */
export const CLI_IB_CLIENT_ID = 90;

const cliIbSchema: convict.Schema<IbConfig> = {
  ...ibConfigSchema,
  clientId: { ...(ibConfigSchema.clientId as object), default: CLI_IB_CLIENT_ID } as convict.Schema<IbConfig>['clientId'],
};

/** The `cli` section; defaults are the endpoints of docs/services.md. */
export const cliSchema: convict.Schema<CliEndpoints> = {
  gatewayOrders: {
    doc: "The gateway's order command endpoint (PUSH connects here).",
    format: 'zmq-endpoint',
    default: 'tcp://127.0.0.1:5560',
  },
  gatewayControl: {
    doc: "The gateway's control endpoint answering `state` (REQ connects here).",
    format: 'zmq-endpoint',
    default: 'tcp://127.0.0.1:5561',
  },
  requestTimeout: {
    doc: 'How long to wait for a service to answer before giving up.',
    format: 'duration',
    default: 5_000,
  },
};

const databaseSchema: convict.Schema<CliDatabase> = {
  url: {
    doc: 'PostgreSQL URL; empty starts the embedded server in .data/postgres.',
    format: String,
    default: '',
    env: 'DATABASE_URL',
    sensitive: true,
  },
};

/**
 * Loads `ttq`'s configuration the way services load theirs: `config/default.toml`,
 * `config/cli.toml`, `TTQ_CONFIG` files, then `TTQ_*` variables. Command flags are
 * not configuration keys, so no argv is read here.
 *
 * @throws UsageError listing every problem (a bad config is the operator's to fix)
 */
export function loadCliConfig(env: NodeJS.ProcessEnv, configDir?: string): CliConfig {
  try {
    const schema = { bus: busSchema, cli: cliSchema, database: databaseSchema, ib: cliIbSchema };
    return loadConfig<CliConfig>(schema, { service: 'cli', env, argv: [], ...(configDir ? { configDir } : {}) }).properties;
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
