import convict from 'convict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseCommandLine } from './command-line';
import { ConfigError } from './config-error';
import { describeValue } from './describe-value';
import { ENV_PREFIX } from './env-name';
import { registerFormats } from './formats';
import { LoadedConfig } from './loaded-config';
import { prepareSchema, type LeafSpec, type PreparedSchema } from './prepared-schema';
import { readTomlFile, registerTomlParser, type TomlTable } from './toml';

/** Environment variable holding extra TOML files, separated by `,` or `:`. */
export const CONFIG_FILES_ENV = 'TTQ_CONFIG';

/** Where {@link loadConfig} looks for files and values. Every field can be faked in tests. */
export interface LoadConfigOptions {
  /** Service name (`gateway`, `market-data`…): selects `config/<service>.toml`. */
  readonly service: string;
  /** Folder with `default.toml` and `<service>.toml`; defaults to `./config`. */
  readonly configDir?: string;
  /** Further TOML files read after the folder's files; each must exist. */
  readonly files?: readonly string[];
  /** The environment; defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Command-line arguments without node and script; defaults to `process.argv.slice(2)`. */
  readonly argv?: readonly string[];
}

const SERVICE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Loads and validates a service's configuration once, at start-up. Layers, lowest first:
 *
 * 1. the schema defaults;
 * 2. TOML files: `<configDir>/default.toml`, `<configDir>/<service>.toml` (each when
 *    present), then `options.files`, the files listed in `TTQ_CONFIG`, and every
 *    `--config <file>` flag (these must exist);
 * 3. environment variables: `TTQ_` + the key in upper snake case (`bus.sendHwm` →
 *    `TTQ_BUS_SEND_HWM`), or the schema entry's own `env`;
 * 4. command-line flags `--bus.sendHwm=5000` or `--bus.sendHwm 5000`.
 *
 * Keys in files that the schema does not declare are errors, as are secrets in files or
 * flags. All problems are collected and thrown together.
 *
 * @throws ConfigError listing every problem, each naming its key and where the value came from
 * @example
 * const schema = { service: serviceSchema('gateway'), bus: busSchema };
 * const config = loadConfig(schema, { service: 'gateway' });
 * config.get('bus.xsubEndpoint'); // 'tcp://127.0.0.1:5555'
 */
export function loadConfig<T>(schema: convict.Schema<T>, options: LoadConfigOptions): LoadedConfig<T> {
  registerFormats();
  registerTomlParser();
  const { service } = options;
  if (!SERVICE_NAME.test(service)) {
    throw new ConfigError(`service name: expected lower-case letters, digits and dashes, was ${describeValue(service)}`);
  }
  const prepared = prepareSchema(schema);
  const env = options.env ?? process.env;
  const commandLine = parseCommandLine(options.argv ?? process.argv.slice(2), prepared.leaves);
  const problems: string[] = [...commandLine.problems];
  const origin = new Map<string, string>();

  // Keys are checked against the prepared schema, so the loader works with plain paths.
  let config: convict.Config<Record<string, unknown>>;
  try {
    // Flags are applied below by this loader, so convict must not read process.argv itself.
    config = convict(prepared.convictSchema as convict.Schema<Record<string, unknown>>, { env, args: [] });
  } catch (err) {
    throw new ConfigError(`cannot read the environment: ${err instanceof Error ? err.message : String(err)}`);
  }

  const sources: string[] = [];
  for (const file of configFiles(options, env, commandLine.configFiles)) {
    if (file.optional && !existsSync(file.path)) continue;
    let table: TomlTable;
    try {
      table = readTomlFile(file.path);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      continue;
    }
    config.load(checkFile(table, file.path, prepared, service, problems, origin));
    sources.push(file.path);
  }

  for (const leaf of prepared.leaves.values()) {
    if (env[leaf.env] !== undefined) origin.set(leaf.path, leaf.env);
  }
  for (const { leaf, flag, value } of commandLine.values) {
    if (leaf.sensitive) {
      problems.push(`${leaf.path}: secrets must come from the environment, set ${leaf.env} instead of ${flag}`);
      continue;
    }
    config.set(leaf.path, value);
    origin.set(leaf.path, flag);
  }

  for (const leaf of prepared.leaves.values()) {
    const problem = leaf.problem(config.get(leaf.path));
    if (problem !== undefined) problems.push(`${leaf.path}: ${problem} (${originText(origin.get(leaf.path))})`);
  }
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    throw new ConfigError(problems, `invalid configuration for ${service} (${count}):`);
  }

  try {
    // A second opinion from convict itself; the checks above should already cover it.
    config.validate({ allowed: 'strict', output: () => undefined });
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err), `invalid configuration for ${service}:`);
  }

  const sensitive = [...prepared.leaves.values()].filter((leaf) => leaf.sensitive).map((leaf) => leaf.path);
  return new LoadedConfig<T>(config.getProperties() as T, sources, sensitive, unusedVariables(env, prepared));
}

interface ConfigFile {
  readonly path: string;
  readonly optional: boolean;
}

function configFiles(options: LoadConfigOptions, env: NodeJS.ProcessEnv, fromFlags: readonly string[]): ConfigFile[] {
  const dir = path.resolve(options.configDir ?? 'config');
  const listed = (env[CONFIG_FILES_ENV] ?? '').split(/[,:]/).filter((p) => p.trim() !== '');
  return [
    { path: path.join(dir, 'default.toml'), optional: true },
    { path: path.join(dir, `${options.service}.toml`), optional: true },
    ...[...(options.files ?? []), ...listed, ...fromFlags].map((p) => ({ path: path.resolve(p.trim()), optional: false })),
  ];
}

/**
 * Keeps only the keys of a file that the schema declares and that are not secrets,
 * recording a problem for each of the others, so one run reports every mistake.
 */
function checkFile(
  table: TomlTable,
  file: string,
  prepared: PreparedSchema,
  service: string,
  problems: string[],
  origin: Map<string, string>,
): TomlTable {
  const walk = (node: TomlTable, prefix: string): TomlTable => {
    const kept: TomlTable = {};
    for (const [name, value] of Object.entries(node)) {
      const key = prefix ? `${prefix}.${name}` : name;
      const leaf: LeafSpec | undefined = prepared.leaves.get(key);
      if (leaf?.sensitive) {
        problems.push(`${key}: secrets must come from the environment, set ${leaf.env} instead of writing it in ${file}`);
      } else if (leaf) {
        kept[name] = value;
        origin.set(key, file);
      } else if (!prepared.sections.has(key)) {
        const hint = closestKey(key, prepared);
        problems.push(`${key}: unknown key in ${file}, not in the ${service} schema${hint ? ` (did you mean ${hint}?)` : ''}`);
      } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        kept[name] = walk(value as TomlTable, key);
      } else {
        problems.push(`${key}: expected a table of settings in ${file}, was ${describeValue(value)}`);
      }
    }
    return kept;
  };
  return walk(table, '');
}

function originText(source: string | undefined): string {
  if (source === undefined) return 'the default';
  return source.startsWith('--') ? `from flag ${source}` : `from ${source}`;
}

/** `TTQ_` variables no key reads: usually a typo, but other services may read them. */
function unusedVariables(env: NodeJS.ProcessEnv, prepared: PreparedSchema): string[] {
  const read = new Set([CONFIG_FILES_ENV, ...[...prepared.leaves.values()].map((leaf) => leaf.env)]);
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && !read.has(name))
    .sort()
    .map((name) => `${name} is set but no configuration key of this service reads it`);
}

/** The declared key nearest to a mistyped one, when it is close enough to be a typo. */
function closestKey(key: string, prepared: PreparedSchema): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 4)) + 1;
  for (const candidate of [...prepared.leaves.keys(), ...prepared.sections]) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
