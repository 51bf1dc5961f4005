import {
  AuthenticationError,
  DisconnectedError,
  DuplicateOrderError,
  GatewayError,
  InsufficientFundsError,
  InvalidOrderError,
  mapVenueError,
  OrderNotFoundError,
  RateLimitError,
  UnknownInstrumentError,
  VenueUnavailableError,
  type ErrorMapping,
} from '@ttquant/gateway-api';

/** How long IB asks a client to back off after a historical pacing violation (its 15 s identical-request rule). */
export const IB_PACING_BACKOFF_MS = 15_000;

/**
 * IB's error codes mapped to the gateway error tree. Codes IB documents in its
 * "Error Codes" list; anything else becomes a generic, non-retryable VenueError.
 */
export const IB_ERRORS: ErrorMapping = {
  // Request throttling: the client sent more than 50 messages/s.
  '100': (message, details) => new RateLimitError(message, { ...details, retryAfterMs: 1_000 }),
  '103': (message, details) => new DuplicateOrderError(message, details),
  '104': (message, details) => new OrderNotFoundError(message, details),
  '105': (message, details) => new InvalidOrderError(message, details),
  '110': (message, details) => new InvalidOrderError(message, details),
  '135': (message, details) => new OrderNotFoundError(message, details),
  '161': (message, details) => new OrderNotFoundError(message, details),
  '162': (message, details) => new RateLimitError(message, { ...details, retryAfterMs: IB_PACING_BACKOFF_MS }),
  '200': (message, details) => new UnknownInstrumentError(message, details),
  '201': (message, details) =>
    /margin|buying power|insufficient|equity/i.test(message)
      ? new InsufficientFundsError(message, details)
      : new InvalidOrderError(message, details),
  '203': (message, details) => new InvalidOrderError(message, details),
  '326': (message, details) => new AuthenticationError(message, details),
  '354': (message, details) => new AuthenticationError(message, details),
  '388': (message, details) => new InvalidOrderError(message, details),
  '434': (message, details) => new InvalidOrderError(message, details),
  '502': (message, details) => new VenueUnavailableError(message, details),
  '504': (message, details) => new DisconnectedError(message, details),
  '1100': (message, details) => new DisconnectedError(message, details),
  '2110': (message, details) => new DisconnectedError(message, details),
  '10147': (message, details) => new OrderNotFoundError(message, details),
  '10148': (message, details) => new OrderNotFoundError(message, details),
  '10168': (message, details) => new AuthenticationError(message, details),
  '10197': (message, details) => new VenueUnavailableError(message, details),
};

/** What a message from TWS means for the adapter, beyond the request it names. */
export type IbMessageClass =
  /** The link between TWS and IB changed: 1100 lost, 1101 restored (data lost), 1102 restored (data kept), 2110. */
  | 'connectivity'
  /** A data farm changed: 2103/2104 market data, 2105/2106 historical, 2157/2158 security definitions, 2107/2108 inactive. */
  | 'farm'
  /** Informational: 202 cancel confirmed, 399 order warning, 10167 delayed data shown, other 21xx notices. */
  | 'info'
  /** A refusal or failure of the request it names (or of the session for id -1). */
  | 'error';

const CONNECTIVITY = new Set([1100, 1101, 1102, 2110]);
const FARM = new Set([2103, 2104, 2105, 2106, 2107, 2108, 2157, 2158]);
const INFO = new Set([202, 399, 10167, 2100, 2101, 2109, 2137, 2168, 2169]);

/** Sorts an IB message code into {@link IbMessageClass}. */
export function classifyIbMessage(code: number): IbMessageClass {
  if (CONNECTIVITY.has(code)) return 'connectivity';
  if (FARM.has(code)) return 'farm';
  if (INFO.has(code) || (code >= 2100 && code < 2200)) return 'info';
  return 'error';
}

/** A farm notice as a data status: which farm, and whether it is up. */
export interface IbFarmStatus {
  readonly farm: 'market-data' | 'historical' | 'security-definition';
  readonly up: boolean;
}

/** The farm and direction of a farm notice code; `undefined` for other codes. */
export function farmStatus(code: number): IbFarmStatus | undefined {
  switch (code) {
    case 2103:
      return { farm: 'market-data', up: false };
    case 2104:
    case 2108:
      return { farm: 'market-data', up: true };
    case 2105:
      return { farm: 'historical', up: false };
    case 2106:
    case 2107:
      return { farm: 'historical', up: true };
    case 2157:
      return { farm: 'security-definition', up: false };
    case 2158:
      return { farm: 'security-definition', up: true };
    default:
      return undefined;
  }
}

/**
 * Turns an IB error into the gateway error tree through {@link IB_ERRORS},
 * keeping the code and the message; the text says what was asked.
 *
 * @example
 * ibError(200, 'No security definition has been found for the request', 'contract details of ZZZZ');
 * // UnknownInstrumentError "contract details of ZZZZ: IB 200: No security definition..."
 */
export function ibError(code: number, message: string, context?: string): GatewayError {
  const text = `${context ? `${context}: ` : ''}IB ${code}: ${message}`;
  return mapVenueError(IB_ERRORS, code, text, { code, message });
}

/** True when `error` came from IB code `code` (through {@link ibError}). */
export function isIbCode(error: unknown, code: number): boolean {
  return error instanceof GatewayError && error.venueCode === String(code);
}
