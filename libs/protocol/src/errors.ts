/**
 * A wire message that cannot become a valid object: malformed, truncated,
 * out of range or incomplete. Names the field, what was expected and what was found.
 *
 * @example
 * new ProtocolError('order.quantity', 'a positive decimal', '-5').message
 * // 'order.quantity: expected a positive decimal, was -5'
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    /** Dotted path of the offending field, e.g. `payload.quote.bidPrice.mantissa`. */
    readonly field: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${field}: expected ${expected}, was ${found}`);
  }
}
