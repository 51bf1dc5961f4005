import type convict from 'convict';
import { inspect } from 'node:util';
import { ConfigError } from './config-error';
import { MASK } from './describe-value';

/**
 * Validated configuration of one service. Values are read-only: `properties` is deeply
 * frozen, so no component can change what another one was configured with.
 *
 * Every rendering (`toSafeJSON`, `toString`, `JSON.stringify`, `console.log`) masks
 * secrets as `****`; only `get` and `properties` give their real values.
 *
 * @example
 * const config = loadConfig(schema, { service: 'gateway' });
 * const hwm = config.get('bus.sendHwm'); // number
 * logger.info({ config: config.toSafeJSON(), sources: config.sources }, 'configuration loaded');
 */
export class LoadedConfig<T> {
  /** All values as a deeply frozen plain object (secrets in clear: do not log it). */
  readonly properties: T;
  /** Absolute paths of the TOML files that were read, lowest precedence first. */
  readonly sources: readonly string[];
  /** Things worth logging that are not errors, such as `TTQ_` variables no key reads. */
  readonly warnings: readonly string[];
  readonly #sensitivePaths: readonly string[];

  /** @internal built by {@link loadConfig}. */
  constructor(properties: T, sources: readonly string[], sensitivePaths: readonly string[], warnings: readonly string[]) {
    this.properties = deepFreeze(properties);
    this.sources = Object.freeze([...sources]);
    this.warnings = Object.freeze([...warnings]);
    this.#sensitivePaths = Object.freeze([...sensitivePaths]);
  }

  /**
   * The value at a dotted key, typed from the schema; sections come back as frozen objects.
   * @throws ConfigError when the key does not exist (only possible by bypassing the types)
   */
  get<K extends convict.Path<T>>(key: K): convict.PathValue<T, K> {
    let node: unknown = this.properties;
    for (const part of String(key).split('.')) {
      if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, part)) {
        throw new ConfigError(`${String(key)}: no such configuration key`);
      }
      node = (node as Record<string, unknown>)[part];
    }
    return node as convict.PathValue<T, K>;
  }

  /** A deep copy of all values with every secret replaced by `****`, safe to log. */
  toSafeJSON(): Record<string, unknown> {
    const copy = structuredClone(this.properties) as Record<string, unknown>;
    for (const path of this.#sensitivePaths) {
      const parts = path.split('.');
      const last = parts.pop() ?? '';
      let parent: unknown = copy;
      for (const part of parts) parent = (parent as Record<string, unknown> | undefined)?.[part];
      // Masked whether set or not, so the rendering does not even tell whether a secret exists.
      if (typeof parent === 'object' && parent !== null) (parent as Record<string, unknown>)[last] = MASK;
    }
    return copy;
  }

  /** Same as {@link toSafeJSON}, so `JSON.stringify(config)` and loggers never see secrets. */
  toJSON(): Record<string, unknown> {
    return this.toSafeJSON();
  }

  /** Indented JSON with secrets masked. */
  toString(): string {
    return JSON.stringify(this.toSafeJSON(), null, 2);
  }

  /** Keeps `console.log(config)` from printing `properties` with secrets in clear. */
  [inspect.custom](): Record<string, unknown> {
    return { properties: this.toSafeJSON(), sources: this.sources };
  }
}

function deepFreeze<V>(value: V): V {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
