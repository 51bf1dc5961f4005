import { isValidClientOrderId } from './client-order-id';
import type { Decimal } from './decimal';
import { instrumentKey } from './instrument';
import { ORDER_SIDES, ORDER_TYPES, TIMES_IN_FORCE, type OrderSpec, type OrderType, type TimeInForce } from './orders';

/** The first thing wrong with an order spec: the field and why. */
export interface OrderSpecProblem {
  /** The `OrderSpec` field at fault, e.g. `limitPrice`. */
  readonly field: keyof OrderSpec;
  /** Expected versus found, e.g. `expected quantity > 0, was -5`. */
  readonly reason: string;
}

const NEEDS_LIMIT_PRICE: ReadonlySet<OrderType> = new Set(['LIMIT', 'STOP_LIMIT']);
const NEEDS_STOP_PRICE: ReadonlySet<OrderType> = new Set(['STOP', 'STOP_LIMIT']);
// A post-only order must rest on the book; immediate-or-kill orders never do.
const RESTING_TIMES_IN_FORCE: ReadonlySet<TimeInForce> = new Set(['DAY', 'GTC', 'GTD']);

/**
 * Checks an order spec on its own, without instrument or account data (those are
 * risk's and `instrument-rules.ts`'s job). Returns the first problem found.
 */
export function findOrderSpecProblem(spec: OrderSpec): OrderSpecProblem | undefined {
  if (!isValidClientOrderId(spec.clientOrderId)) {
    return problem(
      'clientOrderId',
      `expected clientOrderId of 1 to 32 characters [A-Za-z0-9], was ${JSON.stringify(spec.clientOrderId)}`,
    );
  }
  if (spec.account.trim() === '') {
    return problem('account', `expected a non-empty account, was ${JSON.stringify(spec.account)}`);
  }
  if (spec.strategyId.trim() === '') {
    return problem('strategyId', `expected a non-empty strategyId, was ${JSON.stringify(spec.strategyId)}`);
  }
  if (spec.instrument.venue.trim() === '' || spec.instrument.symbol.trim() === '') {
    return problem(
      'instrument',
      `expected an instrument with venue and symbol, was ${JSON.stringify(instrumentKey(spec.instrument))}`,
    );
  }
  if (!(ORDER_SIDES as readonly string[]).includes(spec.side)) {
    return problem('side', `expected side one of ${ORDER_SIDES.join(', ')}, was ${JSON.stringify(spec.side)}`);
  }
  if (!(ORDER_TYPES as readonly string[]).includes(spec.type)) {
    return problem('type', `expected type one of ${ORDER_TYPES.join(', ')}, was ${JSON.stringify(spec.type)}`);
  }
  if (!(TIMES_IN_FORCE as readonly string[]).includes(spec.timeInForce)) {
    return problem(
      'timeInForce',
      `expected timeInForce one of ${TIMES_IN_FORCE.join(', ')}, was ${JSON.stringify(spec.timeInForce)}`,
    );
  }
  if (!spec.quantity.isPositive()) return problem('quantity', `expected quantity > 0, was ${spec.quantity.toString()}`);

  const priceProblem =
    checkPriceField(spec, 'limitPrice', NEEDS_LIMIT_PRICE.has(spec.type)) ??
    checkPriceField(spec, 'stopPrice', NEEDS_STOP_PRICE.has(spec.type));
  if (priceProblem) return priceProblem;

  if (spec.timeInForce === 'GTD') {
    if (spec.expireTime === undefined) return problem('expireTime', 'expected expireTime for a GTD order, was absent');
    if (spec.expireTime <= 0n) {
      return problem('expireTime', `expected expireTime > 0 for a GTD order, was ${spec.expireTime}`);
    }
  } else if (spec.expireTime !== undefined) {
    return problem('expireTime', `expected no expireTime for a ${spec.timeInForce} order, was ${spec.expireTime}`);
  }

  if (spec.postOnly) {
    if (spec.type !== 'LIMIT') {
      return problem('postOnly', `expected postOnly only on LIMIT orders, was ${spec.type}`);
    }
    if (!RESTING_TIMES_IN_FORCE.has(spec.timeInForce)) {
      return problem('postOnly', `expected postOnly with DAY, GTC or GTD, was ${spec.timeInForce}`);
    }
  }

  if (spec.parentClientOrderId !== undefined) {
    if (!isValidClientOrderId(spec.parentClientOrderId)) {
      return problem(
        'parentClientOrderId',
        `expected parentClientOrderId of 1 to 32 characters [A-Za-z0-9], was ${JSON.stringify(spec.parentClientOrderId)}`,
      );
    }
    if (spec.parentClientOrderId === spec.clientOrderId) {
      return problem(
        'parentClientOrderId',
        `expected a parent other than the order itself, was ${spec.parentClientOrderId}`,
      );
    }
  }
  return undefined;
}

/**
 * The first problem of an order spec as reason text (for a DENIED event, a
 * risk denial or a sim venue reject), or `undefined` when the spec is sound.
 *
 * @example
 * validateOrderSpec({ ...spec, quantity: Decimal.parse('-5') }); // 'expected quantity > 0, was -5'
 */
export function validateOrderSpec(spec: OrderSpec): string | undefined {
  return findOrderSpecProblem(spec)?.reason;
}

function checkPriceField(
  spec: OrderSpec,
  field: 'limitPrice' | 'stopPrice',
  required: boolean,
): OrderSpecProblem | undefined {
  const value: Decimal | undefined = spec[field];
  if (required) {
    if (value === undefined) return problem(field, `expected ${field} for a ${spec.type} order, was absent`);
    if (!value.isPositive()) return problem(field, `expected ${field} > 0, was ${value.toString()}`);
  } else if (value !== undefined) {
    return problem(field, `expected no ${field} for a ${spec.type} order, was ${value.toString()}`);
  }
  return undefined;
}

function problem(field: keyof OrderSpec, reason: string): OrderSpecProblem {
  return { field, reason };
}
