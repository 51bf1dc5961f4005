/**
 * Convict `format` validators for numeric keys bounded by a closed range, shared by the
 * adapter configs so every range error reads the same way.
 */

/** A validator accepting an integer in `min..max` (inclusive); the error names `key`. */
export function integerIn(key: string, min: number, max: number): (value: unknown) => void {
  return (value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(`expected ${key} an integer in ${min}..${max}, was ${shown(value)}`);
    }
  };
}

/** A validator accepting a finite number in `min..max` (inclusive); the error names `key`. */
export function numberIn(key: string, min: number, max: number): (value: unknown) => void {
  return (value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`expected ${key} a number in ${min}..${max}, was ${shown(value)}`);
    }
  };
}

/** A value as the error shows it: numbers as written (NaN, Infinity), anything else as JSON. */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}
