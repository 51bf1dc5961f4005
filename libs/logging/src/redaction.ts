/** What a redacted value is replaced with in log output. */
export const REDACTED = '****';

/**
 * Keys whose values never reach the logs, at the top level of a log object and one level
 * down (`{ credentials: { apiKey } }`). Names follow the venues' own (ccxt uses `apiKey`,
 * `secret`, `password`, `privateKey`). Account ids are not in the list: they appear in
 * topics and are needed to operate; add `account` through `redactKeys` where they are
 * confidential.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'password',
  'passphrase',
  'secret',
  'apiKey',
  'apiSecret',
  'secretKey',
  'privateKey',
  'token',
  'accessToken',
  'refreshToken',
  'authorization',
]);

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Turns key names into pino `redact` paths. A plain name covers the key at the top level
 * and one level down; anything else (`req.headers["x-api-key"]`) is taken as a path.
 */
export function redactPaths(extraKeys: readonly string[] = []): string[] {
  const paths = new Set<string>();
  for (const key of [...DEFAULT_REDACT_KEYS, ...extraKeys]) {
    if (PLAIN_KEY.test(key)) {
      paths.add(key);
      paths.add(`*.${key}`);
    } else {
      paths.add(key);
    }
  }
  return [...paths];
}
