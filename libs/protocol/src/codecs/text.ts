/** `String.prototype.isWellFormed` (ES2024, Node 20+); the project's lib setting stops at ES2022. */
interface WellFormedCheck {
  isWellFormed(): boolean;
}

/**
 * True when `s` holds no lone surrogate. protobufjs decodes malformed UTF-8 from
 * a plain Uint8Array into lone surrogates, which cannot be re-encoded faithfully
 * nor stored as PostgreSQL text, so decoders treat such strings as malformed.
 */
export function isWellFormedText(s: string): boolean {
  return (s as unknown as WellFormedCheck).isWellFormed();
}
