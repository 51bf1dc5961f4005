/** Prefix of every environment variable derived from a schema key. */
export const ENV_PREFIX = 'TTQ_';

/**
 * The environment variable for a dotted schema key: `TTQ_` and the key in upper snake
 * case, camelCase words split.
 *
 * @example
 * envNameFor('bus.sendHwm'); // 'TTQ_BUS_SEND_HWM'
 * envNameFor('service.httpPort'); // 'TTQ_SERVICE_HTTP_PORT'
 */
export function envNameFor(key: string): string {
  const snake = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[.-]/g, '_');
  return ENV_PREFIX + snake.toUpperCase();
}
