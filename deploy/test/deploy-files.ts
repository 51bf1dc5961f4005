import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The repository root (this file is in deploy/test/). */
export const ROOT = path.resolve(__dirname, '..', '..');

/** Reads a file of the repository as text. */
export function readRepoFile(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

/** The nx applications: every folder under apps/ with a project.json. */
export function appNames(): string[] {
  const apps = path.join(ROOT, 'apps');
  return readdirSync(apps, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(apps, entry.name, 'project.json')))
    .map((entry) => entry.name)
    .sort();
}

/** The HTTP port of each long-running service's /metrics, /healthz, /readyz (docs/services.md). */
export const DEFAULT_HTTP_PORTS: Readonly<Record<string, number>> = {
  hub: 9100,
  'market-data': 9101,
  gateway: 9102,
  'strategy-engine': 9103,
  persistence: 9104,
};

/** Apps that run once and exit instead of serving (`ttq`). */
export const ONE_SHOT_APPS: readonly string[] = ['cli'];

/** One service of a compose file, as far as these checks read it. */
export interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context?: string; readonly dockerfile?: string };
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly env_file?: readonly string[];
  readonly volumes: readonly string[];
  readonly ports: readonly string[];
  readonly healthcheck?: { readonly test?: readonly string[]; readonly disable?: boolean };
  readonly restart?: string;
  readonly depends_on: Readonly<Record<string, { readonly condition?: string }>>;
  readonly profiles: readonly string[];
  readonly container_name?: string;
  readonly stop_grace_period?: string;
}

/** A compose file, as far as these checks read it. */
export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes: Readonly<Record<string, unknown>>;
}

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table => typeof value === 'object' && value !== null && !Array.isArray(value);

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' && typeof item !== 'number')) {
    throw new Error(`expected ${where} to be a list of strings, was ${JSON.stringify(value)}`);
  }
  return value.map(String);
}

/** `environment` as a map whether written as a map or as `KEY=value` lines. */
function environmentOf(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) {
    return Object.fromEntries(
      stringList(value, where).map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      }),
    );
  }
  if (!isTable(value)) throw new Error(`expected ${where} to be a map, was ${JSON.stringify(value)}`);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, item === null ? '' : String(item)]));
}

/** `depends_on` as a map whether written as a list of names or with conditions. */
function dependsOnOf(value: unknown): Record<string, { condition?: string }> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((name) => [String(name), {}]));
  if (!isTable(value)) throw new Error(`expected depends_on to be a map or a list, was ${JSON.stringify(value)}`);
  return Object.fromEntries(
    Object.entries(value).map(([name, spec]) => [name, isTable(spec) && typeof spec['condition'] === 'string' ? { condition: spec['condition'] } : {}]),
  );
}

function serviceOf(name: string, raw: unknown): ComposeService {
  if (!isTable(raw)) throw new Error(`expected service ${name} to be a map, was ${JSON.stringify(raw)}`);
  const build = raw['build'];
  const healthcheck = raw['healthcheck'];
  const envFile = raw['env_file'];
  return {
    ...(typeof raw['image'] === 'string' ? { image: raw['image'] } : {}),
    ...(isTable(build) ? { build: { context: String(build['context']), dockerfile: String(build['dockerfile']) } } : {}),
    ...(raw['command'] !== undefined ? { command: stringList(raw['command'], `${name}.command`) } : {}),
    ...(raw['entrypoint'] !== undefined ? { entrypoint: stringList(raw['entrypoint'], `${name}.entrypoint`) } : {}),
    environment: environmentOf(raw['environment'], `${name}.environment`),
    ...(envFile !== undefined
      ? { env_file: Array.isArray(envFile) ? envFile.map((f) => (isTable(f) ? String(f['path']) : String(f))) : [String(envFile)] }
      : {}),
    volumes: stringList(raw['volumes'], `${name}.volumes`),
    ports: stringList(raw['ports'], `${name}.ports`),
    ...(isTable(healthcheck)
      ? {
          healthcheck: {
            ...(healthcheck['test'] !== undefined ? { test: stringList(healthcheck['test'], `${name}.healthcheck.test`) } : {}),
            ...(healthcheck['disable'] === true ? { disable: true } : {}),
          },
        }
      : {}),
    ...(typeof raw['restart'] === 'string' ? { restart: raw['restart'] } : {}),
    depends_on: dependsOnOf(raw['depends_on']),
    profiles: stringList(raw['profiles'], `${name}.profiles`),
    ...(typeof raw['container_name'] === 'string' ? { container_name: raw['container_name'] } : {}),
    ...(typeof raw['stop_grace_period'] === 'string' ? { stop_grace_period: raw['stop_grace_period'] } : {}),
  };
}

/** Parses a compose file, resolving YAML merge keys (`<<: *anchor`) as compose does. */
export function parseCompose(text: string): ComposeFile {
  const document: unknown = parse(text, { merge: true });
  if (!isTable(document) || !isTable(document['services'])) {
    throw new Error('expected a compose file with a services map');
  }
  const services = Object.fromEntries(Object.entries(document['services']).map(([name, raw]) => [name, serviceOf(name, raw)]));
  const volumes = isTable(document['volumes']) ? document['volumes'] : {};
  return { services, volumes };
}

/** Host and port of a `tcp://host:port` endpoint. */
export function tcpEndpoint(endpoint: string | undefined): { host: string; port: number } {
  const match = /^tcp:\/\/([^:/]+):(\d+)$/.exec(endpoint ?? '');
  if (!match) throw new Error(`expected a tcp://host:port endpoint, was ${JSON.stringify(endpoint)}`);
  return { host: match[1] ?? '', port: Number(match[2]) };
}

/**
 * Names of the variables a text interpolates as `${NAME}`, `${NAME:-default}` or
 * `${NAME:?message}`; `$${NAME}` is compose's escape for a literal `$` and is skipped.
 */
export function interpolatedVariables(text: string): { name: string; hasDefault: boolean }[] {
  return [...text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?[^}]*\}/g)].map((match) => ({
    name: match[1] ?? '',
    hasDefault: match[2] === ':-' || match[2] === '-',
  }));
}
