/* Command-line settings of a bench (`npm run bench -- <name> --<flag> <value>`). */

/**
 * The value after `--<name>` on this process's command line; undefined when the
 * flag is absent, an error when it is given without a value.
 */
export function benchTextArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name}: expected a value, found none`);
  return value;
}

/**
 * The number after `--<name>`, or `fallback` when the flag is absent. It must
 * be at least `min` and, with `integer`, whole: a bench run on a mistyped
 * setting would print figures nobody asked for.
 */
export function benchNumberArg(name: string, fallback: number, min: number, integer = false): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  const valid = integer ? Number.isInteger(value) : Number.isFinite(value);
  if (!valid || value < min) {
    throw new Error(`--${name}: expected ${integer ? 'an integer' : 'a number'} >= ${min}, was ${process.argv[i + 1]}`);
  }
  return value;
}
