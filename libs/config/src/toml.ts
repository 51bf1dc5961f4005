import convict from 'convict';
import { readFileSync } from 'node:fs';
import { parse, TomlDate, TomlError } from 'smol-toml';
import { ConfigError } from './config-error';

/** A parsed TOML document as plain objects, arrays, strings, numbers and booleans. */
export type TomlTable = Record<string, unknown>;

/**
 * Parses TOML text into plain data. Tables become ordinary objects (smol-toml returns
 * null-prototype ones) and dates become their ISO text, because convict's merge treats
 * any object as a section and would turn a `Date` into `{}`.
 *
 * @param source names the text in error messages (a file path)
 * @throws ConfigError naming `source`, the line and the column when the text is not TOML
 */
export function parseToml(text: string, source: string): TomlTable {
  let document: unknown;
  try {
    document = parse(text);
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split('\n')[0]?.replace(/^Invalid TOML document:\s*/, '') ?? 'invalid TOML';
      throw new ConfigError(`${source}: invalid TOML at line ${err.line}, column ${err.column}: ${reason}`);
    }
    throw err;
  }
  return toPlain(document) as TomlTable;
}

/**
 * Reads and parses one TOML file.
 * @throws ConfigError when the file cannot be read or parsed, naming the file
 */
export function readTomlFile(file: string): TomlTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(err)})`;
    throw new ConfigError(`${file}: ${why}`);
  }
  return parseToml(text, file);
}

function toPlain(value: unknown): unknown {
  if (value instanceof TomlDate) return value.toISOString();
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object' && value !== null) {
    const plain: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // Defined, not assigned: a `__proto__` key must stay a key (and be reported as unknown),
      // not replace the object's prototype.
      Object.defineProperty(plain, key, { value: toPlain(child), enumerable: true, writable: true, configurable: true });
    }
    return plain;
  }
  return value;
}

let registered = false;

/**
 * Teaches convict's own `loadFile` to read `.toml` files. {@link loadConfig} reads files
 * itself (to name the file in every error) but registers the parser so code that uses
 * convict directly gets the same TOML handling.
 */
export function registerTomlParser(): void {
  if (registered) return;
  registered = true;
  convict.addParser({ extension: 'toml', parse: (text: string) => parseToml(text, 'TOML file') });
}
