import { NetworkError, RateLimitError, UnknownInstrumentError, isGatewayError } from '@ttquant/gateway-api';

/**
 * What a failed historical request means for the backfill:
 * - `no-data`: IB has no bars for the window (recorded, skipped);
 * - `unknown-symbol`: IB does not know the contract, error 200 (the symbol's remaining requests are skipped);
 * - `pacing`: error 162, which a paced backfill should never see (counted as a bug signal, retried once after a pause);
 * - `network`: the request or its answer may have been lost (retried with backoff);
 * - `rejected`: anything else IB refused (recorded, skipped).
 */
export type HistoryFailureKind = 'no-data' | 'unknown-symbol' | 'pacing' | 'network' | 'rejected';

// IB answers an empty window with 162 too ("HMDS query returned no data"), so
// the message, not only the code, tells a pacing violation from no data.
const NO_DATA = /no data|returned no data|no historical data/i;

/** Classifies an error thrown by an `IbHistorySource`. */
export function classifyHistoryError(error: unknown): HistoryFailureKind {
  const message = error instanceof Error ? error.message : String(error);
  const code = isGatewayError(error) ? error.venueCode : undefined;
  if (NO_DATA.test(message)) return 'no-data';
  if (error instanceof UnknownInstrumentError || code === '200') return 'unknown-symbol';
  if (code === '162' || error instanceof RateLimitError) return 'pacing';
  if (error instanceof NetworkError || (isGatewayError(error) && error.retryable)) return 'network';
  if (!isGatewayError(error)) return 'network';
  return 'rejected';
}

/** A short description of an error for reports: its name, IB code when known, and message. */
export function describeHistoryError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = isGatewayError(error) && error.venueCode !== undefined ? ` ${error.venueCode}` : '';
  return `${error.name}${code}: ${error.message}`;
}
