import { ConfigError } from './config-error';

/**
 * Reads a secret from the environment. Secrets never come from files or flags: files end
 * up in images and repositories, flags in process listings.
 *
 * @returns the value, or undefined when the variable is unset or empty
 * @example
 * const apiKey = secretFromEnv(process.env, 'BINANCE_API_KEY');
 */
export function secretFromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads a secret the service cannot run without.
 *
 * @param purpose what the secret is, for the operator reading the error
 * @throws ConfigError `missing secret: set IB_ACCOUNT (the IB account id)` when unset or empty
 * @example
 * const account = requireSecret(process.env, 'IB_ACCOUNT', 'the IB account id');
 */
export function requireSecret(env: NodeJS.ProcessEnv, name: string, purpose: string): string {
  const value = secretFromEnv(env, name);
  if (value === undefined) throw new ConfigError(`missing secret: set ${name} (${purpose})`);
  return value;
}
