/**
 * The one error tree of the gateway interface. Every adapter turns its venue's
 * failures into these classes (with a code table, see {@link mapVenueError}), so
 * the gateway decides what to do from the class and `retryable` alone:
 *
 * ```text
 * GatewayError
 * ├── VenueError                 the venue understood the request and refused it (not retryable)
 * │   ├── AuthenticationError
 * │   ├── InvalidOrderError
 * │   ├── DuplicateOrderError
 * │   ├── OrderNotFoundError
 * │   ├── InsufficientFundsError
 * │   ├── UnknownInstrumentError
 * │   └── NotSupportedError      the adapter or venue lacks the capability
 * └── NetworkError               the request may not have arrived (retryable)
 *     ├── RateLimitError
 *     ├── RequestTimeoutError
 *     ├── VenueUnavailableError
 *     └── DisconnectedError
 * ```
 *
 * "Retryable" means sending the same request again can succeed. For an order it
 * never means "send it again blindly": the outcome of the first attempt is
 * unknown, so the gateway reconciles first, and the client order id keeps a
 * resend idempotent at the venue.
 */

/** Optional details every {@link GatewayError} can carry. */
export interface GatewayErrorOptions {
  /** The venue's own error code, as text (`-2010`, `201`, `InsufficientFunds`). */
  readonly venueCode?: string;
  /** The venue's payload, kept for audit and debugging. */
  readonly raw?: unknown;
  /** The lower-level error this one wraps. */
  readonly cause?: unknown;
}

/** Base of every error an adapter raises through the gateway interface. */
export class GatewayError extends Error {
  override readonly name: string = 'GatewayError';
  /** True when repeating the request may succeed (see the module comment for orders). */
  readonly retryable: boolean = false;
  /** The venue's own error code, when the venue gave one. */
  readonly venueCode?: string;
  /** The venue's payload, when there was one. */
  readonly raw?: unknown;

  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.venueCode !== undefined) this.venueCode = options.venueCode;
    if (options.raw !== undefined) this.raw = options.raw;
  }
}

/**
 * The venue understood the request and refused it. Also the fallback of
 * {@link mapVenueError} for codes an adapter's table does not know.
 */
export class VenueError extends GatewayError {
  override readonly name: string = 'VenueError';
}

/** Credentials missing, wrong, expired or without the needed permission. */
export class AuthenticationError extends VenueError {
  override readonly name: string = 'AuthenticationError';
}

/** The venue refused the order's parameters (price off tick, size below minimum, bad type...). */
export class InvalidOrderError extends VenueError {
  override readonly name: string = 'InvalidOrderError';
}

/**
 * The venue already has an order with this client order id. The original order
 * is untouched; the repeated request had no effect.
 */
export class DuplicateOrderError extends VenueError {
  override readonly name: string = 'DuplicateOrderError';
}

/** The venue does not know the order, or it is no longer working (cancel or modify came too late). */
export class OrderNotFoundError extends VenueError {
  override readonly name: string = 'OrderNotFoundError';
}

/** Not enough cash, margin or inventory for the request. */
export class InsufficientFundsError extends VenueError {
  override readonly name: string = 'InsufficientFundsError';
}

/** The instrument is not known to the adapter or the venue. */
export class UnknownInstrumentError extends VenueError {
  override readonly name: string = 'UnknownInstrumentError';
}

/**
 * The adapter or venue lacks a capability (an order type, modify, L2 books...).
 * Raised by {@link requireCapability} and friends before anything is sent.
 */
export class NotSupportedError extends VenueError {
  override readonly name: string = 'NotSupportedError';
}

/** The request may not have reached the venue, or its answer was lost; trying again may work. */
export class NetworkError extends GatewayError {
  override readonly name: string = 'NetworkError';
  override readonly retryable: boolean = true;
}

/** Options of a {@link RateLimitError}. */
export interface RateLimitErrorOptions extends GatewayErrorOptions {
  /** How long the venue asked us to wait, when it said. */
  readonly retryAfterMs?: number;
}

/** The venue throttled us. */
export class RateLimitError extends NetworkError {
  override readonly name: string = 'RateLimitError';
  /** How long the venue asked us to wait, when it said. */
  readonly retryAfterMs?: number;

  constructor(message: string, options: RateLimitErrorOptions = {}) {
    super(message, options);
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** No answer in time: the request's outcome is unknown. */
export class RequestTimeoutError extends NetworkError {
  override readonly name: string = 'RequestTimeoutError';
}

/** The venue is down, in maintenance or answering 5xx. */
export class VenueUnavailableError extends NetworkError {
  override readonly name: string = 'VenueUnavailableError';
}

/** The connection to the venue is down; nothing was sent, or the answer was lost with the link. */
export class DisconnectedError extends NetworkError {
  override readonly name: string = 'DisconnectedError';
}

/** True for any error of the gateway tree. */
export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}

/** True when `error` is a {@link GatewayError} marked retryable; false for anything else. */
export function isRetryable(error: unknown): boolean {
  return error instanceof GatewayError && error.retryable;
}

/** What {@link mapVenueError} hands each entry of an {@link ErrorMapping}. */
export interface VenueErrorDetails {
  /** The venue's code, as text. */
  readonly venueCode: string;
  /** The venue's payload. */
  readonly raw?: unknown;
}

/**
 * An adapter's table from its venue's error codes to the error tree. Each entry
 * builds the error; pass `details` on so the code and payload are kept.
 *
 * @example
 * const BINANCE_ERRORS: ErrorMapping = {
 *   '-1003': (message, details) => new RateLimitError(message, details),
 *   '-2010': (message, details) => new InsufficientFundsError(message, details),
 *   '-2011': (message, details) => new OrderNotFoundError(message, details),
 * };
 */
export type ErrorMapping = Readonly<Record<string, (message: string, details: VenueErrorDetails) => GatewayError>>;

/**
 * Turns a venue error code into the error tree through the adapter's table;
 * codes the table does not know become a generic, non-retryable {@link VenueError}
 * (an unknown refusal is not worth hammering the venue with).
 *
 * @example
 * throw mapVenueError(BINANCE_ERRORS, body.code, body.msg, body);
 */
export function mapVenueError(table: ErrorMapping, code: string | number, message: string, raw?: unknown): GatewayError {
  const venueCode = String(code);
  const details: VenueErrorDetails = raw === undefined ? { venueCode } : { venueCode, raw };
  // Own properties only: a code such as "constructor" must not reach Object.prototype.
  const build = Object.prototype.hasOwnProperty.call(table, venueCode) ? table[venueCode] : undefined;
  return build ? build(message, details) : new VenueError(`venue error ${venueCode}: ${message}`, details);
}
