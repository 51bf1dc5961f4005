import { Decimal, DecimalError } from '@ttquant/domain';
import { EmaCrossStrategy } from '../examples/ema-cross';
import { LatencyProbeStrategy } from '../examples/latency-probe';
import type { Strategy } from '../strategy';

/** One strategy as configured (`[[strategyEngine.strategies]]` in TOML). */
export interface StrategyDefinition {
  /** Which strategy: `ema-cross` or `latency-probe` (see {@link STRATEGY_TYPES}). */
  readonly type: string;
  readonly id: string;
  /** The strategy's own settings. */
  readonly params: Readonly<Record<string, unknown>>;
}

/** A definition that cannot become a strategy; the message names the strategy and setting. */
export class StrategyConfigError extends Error {
  override readonly name = 'StrategyConfigError';
}

type Builder = (definition: StrategyDefinition) => Strategy;

const builders: Record<string, Builder> = {
  'ema-cross': (def) =>
    new EmaCrossStrategy({
      id: def.id,
      instrument: { venue: text(def, 'venue'), symbol: text(def, 'symbol') },
      fastPeriod: integer(def, 'fastPeriod'),
      slowPeriod: integer(def, 'slowPeriod'),
      quantity: decimal(def, 'quantity'),
      mode: oneOf(def, 'mode', ['long-only', 'long-short'] as const, 'long-only'),
      ...(def.params['account'] !== undefined ? { account: text(def, 'account') } : {}),
    }),
  'latency-probe': (def) =>
    new LatencyProbeStrategy({
      id: def.id,
      instrument: { venue: text(def, 'venue'), symbol: text(def, 'symbol') },
      every: integer(def, 'every'),
      ...(def.params['quantity'] !== undefined ? { quantity: decimal(def, 'quantity') } : {}),
      ...(def.params['account'] !== undefined ? { account: text(def, 'account') } : {}),
      ...(def.params['startAfter'] !== undefined ? { startAfter: integer(def, 'startAfter') } : {}),
    }),
};

/** The strategy types {@link createStrategy} knows. */
export const STRATEGY_TYPES = Object.keys(builders);

/**
 * Builds a strategy from its configuration.
 * @throws StrategyConfigError naming the strategy and the setting at fault.
 * @example
 * createStrategy({ type: 'ema-cross', id: 'ema1', params: { venue: 'SIM', symbol: 'ACME', fastPeriod: 5, slowPeriod: 20, quantity: '10' } });
 */
export function createStrategy(definition: StrategyDefinition): Strategy {
  const build = builders[definition.type];
  if (!build) {
    throw new StrategyConfigError(`strategy ${definition.id}: expected type one of ${STRATEGY_TYPES.join(', ')}, was ${JSON.stringify(definition.type)}`);
  }
  try {
    return build(definition);
  } catch (error) {
    if (error instanceof StrategyConfigError) throw error;
    throw new StrategyConfigError(`strategy ${definition.id}: ${(error as Error).message}`);
  }
}

function text(def: StrategyDefinition, key: string): string {
  const value = def.params[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new StrategyConfigError(`strategy ${def.id}: expected ${key} as non-empty text, was ${JSON.stringify(value)}`);
  }
  return value;
}

function integer(def: StrategyDefinition, key: string): number {
  const value = def.params[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new StrategyConfigError(`strategy ${def.id}: expected ${key} as a positive integer, was ${JSON.stringify(value)}`);
  }
  return value;
}

function decimal(def: StrategyDefinition, key: string): Decimal {
  const value = def.params[key];
  try {
    if (typeof value !== 'string' && typeof value !== 'number') throw new DecimalError('not a number');
    return Decimal.from(value);
  } catch {
    throw new StrategyConfigError(`strategy ${def.id}: expected ${key} as a decimal such as "10", was ${JSON.stringify(value)}`);
  }
}

function oneOf<T extends string>(def: StrategyDefinition, key: string, allowed: readonly T[], fallback: T): T {
  const value = def.params[key] ?? fallback;
  if (!allowed.includes(value as T)) {
    throw new StrategyConfigError(`strategy ${def.id}: expected ${key} one of ${allowed.join(', ')}, was ${JSON.stringify(value)}`);
  }
  return value as T;
}
