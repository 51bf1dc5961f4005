import { ConfigError } from './config-error';
import { describeValue, MASK } from './describe-value';
import { envNameFor } from './env-name';
import { FORMATS, formatProblem, isConfigFormat } from './formats';

/** What the loader knows about one configurable key. */
export interface LeafSpec {
  /** Dotted path, e.g. `bus.sendHwm`. */
  readonly path: string;
  /** Environment variable read for this key. */
  readonly env: string;
  /** Extra command-line flag name from the schema's `arg`, if any. */
  readonly arg: string | undefined;
  /** Secrets: masked everywhere and accepted from the environment only. */
  readonly sensitive: boolean;
  /** Whether a flag given without a value means `true`. */
  readonly boolean: boolean;
  /** The problem with `value` (without the key), or undefined when it is acceptable. */
  readonly problem: (value: unknown) => string | undefined;
}

/** A user schema checked once and turned into what convict and the loader need. */
export interface PreparedSchema {
  /** A copy of the schema with every leaf's `format`, `env` and `sensitive` made explicit. */
  readonly convictSchema: Record<string, unknown>;
  /** Every configurable key by dotted path, in schema order. */
  readonly leaves: ReadonlyMap<string, LeafSpec>;
  /** Dotted paths of the sections (tables) between the root and the leaves. */
  readonly sections: ReadonlySet<string>;
}

type Node = Record<string, unknown>;

const TYPE_NAMES: ReadonlyMap<unknown, string> = new Map<unknown, string>([
  [Object, 'an object'],
  [Array, 'an array'],
  [RegExp, 'a regular expression'],
]);

const isPlainObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Convict's rule: a non-empty object without `default` is a section, anything else a key. */
function isSection(node: unknown): node is Node {
  return isPlainObject(node) && Object.keys(node).length > 0 && !('default' in node);
}

/**
 * Checks a convict schema and prepares it: strict formats in place of the lax built-ins,
 * a `TTQ_…` environment variable for every key that does not name its own, secrets marked.
 *
 * @throws ConfigError for schema mistakes (unknown format name, two keys on one variable)
 */
export function prepareSchema(schema: object): PreparedSchema {
  const leaves = new Map<string, LeafSpec>();
  const sections = new Set<string>();
  const problems: string[] = [];

  const walk = (node: Node, prefix: string): Node => {
    const out: Node = {};
    for (const [name, child] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (isSection(child)) {
        sections.add(path);
        out[name] = walk(child, path);
        continue;
      }
      const entry: Node = isPlainObject(child) && 'default' in child ? { ...child } : { default: child };
      const prepared = prepareLeaf(path, entry, problems);
      if (prepared) {
        out[name] = prepared.entry;
        leaves.set(path, prepared.spec);
      }
    }
    return out;
  };
  const convictSchema = walk(schema as Node, '');

  const byEnv = new Map<string, string>();
  for (const leaf of leaves.values()) {
    const other = byEnv.get(leaf.env);
    if (other !== undefined) problems.push(`${leaf.path}: environment variable ${leaf.env} is already used by ${other}`);
    else byEnv.set(leaf.env, leaf.path);
  }
  if (problems.length > 0) throw new ConfigError(problems, 'invalid configuration schema:');
  return { convictSchema, leaves, sections };
}

function prepareLeaf(path: string, entry: Node, problems: string[]): { entry: Node; spec: LeafSpec } | undefined {
  const format = strictFormat(entry['format'], entry['default']);
  if (format === undefined) {
    problems.push(`${path}: unknown format ${describeValue(entry['format'])}, expected one of ${Object.keys(FORMATS).join(', ')}, an array of allowed values or a function`);
    return undefined;
  }
  const sensitive = entry['sensitive'] === true || format === 'secret';
  const env = typeof entry['env'] === 'string' && entry['env'] !== '' ? entry['env'] : envNameFor(path);
  const nullable = entry['nullable'] === true;
  const required = entry['default'] === null && !nullable;
  const check = checkerFor(format, sensitive);

  const problem = (value: unknown): string | undefined => {
    if (value === null) {
      if (nullable) return undefined;
      if (required) return sensitive ? `required secret, set ${env}` : `required, set ${env} or add it to a config file`;
    }
    return check(value);
  };
  const arg = typeof entry['arg'] === 'string' ? entry['arg'] : undefined;
  return {
    entry: { ...entry, format, env, sensitive },
    spec: { path, env, arg, sensitive, boolean: format === 'boolean', problem },
  };
}

/** Maps a schema's format to the one convict should use, or undefined when unknown. */
function strictFormat(format: unknown, fallback: unknown): unknown {
  if (format === undefined) return inferFormat(fallback);
  if (format === Number) return 'number';
  if (format === Boolean) return 'boolean';
  if (format === String) return 'string';
  if (format === 'integer') return 'int';
  if (format === '*' || isConfigFormat(format)) return format;
  if (TYPE_NAMES.has(format) || Array.isArray(format) || typeof format === 'function') return format;
  return undefined;
}

/** Like convict, a key without a format takes the type of its default, but strictly. */
function inferFormat(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    default:
      if (Array.isArray(value)) return Array;
      return isPlainObject(value) ? Object : '*';
  }
}

function checkerFor(format: unknown, sensitive: boolean): (value: unknown) => string | undefined {
  const shown = (value: unknown): string => (sensitive ? MASK : describeValue(value));
  if (format === '*') return () => undefined;
  if (isConfigFormat(format)) {
    const definition = FORMATS[format];
    return (value) => (definition.check(value) ? undefined : formatProblem(definition, value, sensitive));
  }
  if (Array.isArray(format)) {
    const allowed = format.map((v) => describeValue(v)).join(', ');
    return (value) => (format.includes(value) ? undefined : `expected one of ${allowed}, was ${shown(value)}`);
  }
  const typeName = TYPE_NAMES.get(format);
  if (typeName !== undefined) {
    const tag = Object.prototype.toString.call(format === Array ? [] : format === RegExp ? /x/ : {});
    return (value) =>
      Object.prototype.toString.call(value) === tag ? undefined : `expected ${typeName}, was ${shown(value)}`;
  }
  const custom = format as (value: unknown) => void;
  return (value) => {
    try {
      custom(value);
      return undefined;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return `${reason}, was ${shown(value)}`;
    }
  };
}
