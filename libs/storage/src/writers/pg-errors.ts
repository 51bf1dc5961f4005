/**
 * What a failed write means for the rows in it:
 * - `duplicate`: a unique key was hit (23505): some rows are stored already;
 * - `row`: the data was refused (SQLSTATE classes 22 and 23, 54000): some row
 *   is bad and will be refused however often it is sent;
 * - `connection`: no database answered (a socket error: reset, refused, timed
 *   out, the connection terminated), or the server said it is going away or not
 *   up yet (class 08, 57P01-57P03): the rows are fine and the database will be
 *   back, so they are never given up on;
 * - `transient`: anything else (lock or resource trouble, schema not migrated
 *   yet, or an error that is not the database's at all, such as a bug in the
 *   client): worth retrying a bounded number of times, not forever.
 */
export type FailureKind = 'duplicate' | 'row' | 'connection' | 'transient';

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The SQLSTATE of a database error; `undefined` for network and client errors. */
export function sqlStateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
}

/** Socket error codes of Node that mean the database could not be reached. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** What `pg` and its pool say when the connection is gone or cannot be made. */
const CONNECTION_MESSAGE = /connection terminated|terminating connection|timeout exceeded when trying to connect|not queryable|connection error|connect E[A-Z]+/i;

/** True when an error without a SQLSTATE says the database could not be reached. */
function isNetworkFailure(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  return CONNECTION_MESSAGE.test(err instanceof Error ? err.message : String(err));
}

/** Sorts a write failure into a {@link FailureKind}. */
export function classifyFailure(err: unknown): FailureKind {
  const state = sqlStateOf(err);
  if (state === undefined) return isNetworkFailure(err) ? 'connection' : 'transient';
  if (state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03') return 'connection';
  if (state === '23505') return 'duplicate';
  // Class 22: data exceptions (bad encoding, out-of-range value); class 23:
  // integrity (NOT NULL, CHECK…); 54000: e.g. an index row too large.
  if (state.startsWith('22') || state.startsWith('23') || state === '54000') return 'row';
  return 'transient';
}

/** The message of anything thrown, without NUL bytes (PostgreSQL text refuses them). */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\u0000').join('');
}
