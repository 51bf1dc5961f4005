/** What a masked secret looks like in every rendering and message. */
export const MASK = '****';

const MAX_SHOWN = 80;

/**
 * Renders a configuration value for an error message: strings quoted (so `""` and
 * `" 5"` are visible as such), `NaN` and `undefined` spelled out, long values cut.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'function') return 'a function';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}
