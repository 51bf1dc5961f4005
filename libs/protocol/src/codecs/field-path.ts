import { ProtocolError } from '../errors';

/**
 * Joins a parent path and a field name into the dotted path a {@link ProtocolError} names.
 * Decoders call it only when they are about to throw, so the hot path builds no strings.
 */
export function fieldPath(parent: string, name: string): string {
  if (parent === '') return name;
  if (name === '') return parent;
  return `${parent}.${name}`;
}

/**
 * Re-roots an error thrown by a nested decoder under `prefix`, e.g. `price` inside
 * the fourth bid becomes `bookSnapshot.bids[3].price`. Anything that is not a
 * {@link ProtocolError} is a bug in the codec and is passed on untouched.
 */
export function rebase(err: unknown, prefix: string): unknown {
  if (!(err instanceof ProtocolError)) return err;
  return new ProtocolError(fieldPath(prefix, err.field), err.expected, err.found);
}
