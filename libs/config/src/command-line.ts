import type { LeafSpec } from './prepared-schema';

/** The flag that adds a TOML file on top of the files from the config directory. */
export const CONFIG_FLAG = 'config';

/** One `--key value` pair, already matched to its schema key. */
export interface FlagValue {
  readonly leaf: LeafSpec;
  readonly flag: string;
  readonly value: string;
}

/** Command-line flags sorted into values, extra config files and problems. */
export interface ParsedCommandLine {
  readonly values: readonly FlagValue[];
  readonly configFiles: readonly string[];
  readonly problems: readonly string[];
}

/**
 * Reads `--a.b=value` and `--a.b value` flags. Only schema keys (or their `arg` names)
 * and `--config <file>` are accepted: a mistyped flag is an error, not a silent no-op.
 * A boolean key given without a value means `true`. Everything after `--` is ignored.
 */
export function parseCommandLine(argv: readonly string[], leaves: ReadonlyMap<string, LeafSpec>): ParsedCommandLine {
  const byFlag = new Map<string, LeafSpec>();
  for (const leaf of leaves.values()) {
    byFlag.set(leaf.path, leaf);
    if (leaf.arg !== undefined) byFlag.set(leaf.arg, leaf);
  }
  const values: FlagValue[] = [];
  const configFiles: string[] = [];
  const problems: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (token === '--') break;
    if (!token.startsWith('--') || token.length === 2) {
      problems.push(`unexpected command-line argument ${JSON.stringify(token)}, expected --key=value`);
      continue;
    }
    const equals = token.indexOf('=');
    const name = equals === -1 ? token.slice(2) : token.slice(2, equals);
    const leaf = byFlag.get(name);
    if (name !== CONFIG_FLAG && leaf === undefined) {
      problems.push(`unknown command-line flag --${name}: no such configuration key`);
      if (equals === -1 && argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('--')) i++;
      continue;
    }
    let value: string | undefined;
    if (equals !== -1) value = token.slice(equals + 1);
    else if (argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('--')) value = argv[++i];
    else if (leaf?.boolean) value = 'true';
    if (value === undefined) {
      problems.push(`command-line flag --${name} needs a value`);
      continue;
    }
    if (leaf === undefined) configFiles.push(value);
    else values.push({ leaf, flag: `--${name}`, value });
  }
  return { values, configFiles, problems };
}
