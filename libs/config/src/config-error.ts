/**
 * Raised when configuration cannot be loaded: a broken file, an unknown key, a value
 * of the wrong format, a secret given outside the environment or a missing secret.
 *
 * The message lists every problem found, one per line, so an operator fixes them all
 * in one go instead of restarting once per typo.
 *
 * @example
 * try {
 *   loadConfig(schema, { service: 'gateway' });
 * } catch (err) {
 *   if (err instanceof ConfigError) console.error(err.message); // bus.sendHwm: expected a natural number, was "abc"
 * }
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  /** Each problem on its own, e.g. `bus.sendHwm: expected a natural number, was "abc"`. */
  readonly problems: readonly string[];

  /**
   * @param problems one or more problems; each names the key or file concerned
   * @param heading optional first line put before the list (used when there are several)
   */
  constructor(problems: string | readonly string[], heading?: string) {
    const list = typeof problems === 'string' ? [problems] : [...problems];
    super(ConfigError.render(list, heading));
    this.problems = Object.freeze(list);
  }

  private static render(problems: readonly string[], heading: string | undefined): string {
    if (heading === undefined) return problems.length === 1 ? (problems[0] ?? '') : problems.join('\n');
    return [heading, ...problems.map((p) => `  - ${p}`)].join('\n');
  }
}
