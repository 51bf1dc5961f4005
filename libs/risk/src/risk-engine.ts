import type { OrderSpec } from '@ttquant/domain';
import { instrumentKnownCheck, limitChecks, precisionCheck, tradingStateCheck } from './checks';
import { ALLOWED, type PreTradeCheck, type PreTradeRisk, type RiskContext, type RiskDecision } from './pre-trade';
import type { RiskLimits } from './risk-limits';

/**
 * The gateway's pre-trade risk: trading state, instrument known, precision, then
 * the configured limits. The first denial wins and names its check.
 *
 * @example
 * const risk = createPreTradeRisk({ maxOrderQuantity: Decimal.of(1000), priceBandBps: 500 });
 * const decision = risk.evaluate(order, context);
 * if (!decision.allowed) deny(order, `${decision.check}: ${decision.reason}`);
 */
export function createPreTradeRisk(limits: RiskLimits, extraChecks: readonly PreTradeCheck[] = []): PreTradeRisk {
  const checks: readonly PreTradeCheck[] = [
    tradingStateCheck,
    instrumentKnownCheck,
    precisionCheck,
    ...limitChecks(limits),
    ...extraChecks,
  ];
  return {
    evaluate(order: OrderSpec, ctx: RiskContext): RiskDecision {
      for (const check of checks) {
        const decision = check.check(order, ctx);
        if (!decision.allowed) return decision;
      }
      return ALLOWED;
    },
  };
}
