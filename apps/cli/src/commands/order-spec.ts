import {
  ClientOrderIdGenerator,
  findOrderSpecProblem,
  isValidClientOrderId,
  type OrderSide,
  type OrderSpec,
  type OrderType,
  type TimeInForce,
} from '@ttquant/domain';
import { choiceFlag, decimalFlag, requiredFlag, stringFlag, type FlagSpecs, type ParsedArgs } from '../args';
import { UsageError } from '../cli-errors';

/** The strategy id of orders entered by hand: their client order ids start with it. */
export const MANUAL_STRATEGY_ID = 'manual';

/** Flags of `ttq order submit`. */
export const SUBMIT_FLAGS = {
  account: { type: 'string', value: '<account>', help: 'account to trade (required)' },
  symbol: { type: 'string', value: '<symbol>', help: 'instrument symbol at the venue, e.g. ACME (required)' },
  venue: { type: 'string', value: '<venue>', help: 'venue of the instrument (default SIM)' },
  side: { type: 'string', value: 'buy|sell', help: 'order side (required)' },
  qty: { type: 'string', value: '<quantity>', help: 'quantity, a decimal such as 10 or 0.5 (required)' },
  type: { type: 'string', value: '<type>', help: 'market (default), limit, stop or stop-limit' },
  price: { type: 'string', value: '<price>', help: 'limit price (limit and stop-limit orders)' },
  'stop-price': { type: 'string', value: '<price>', help: 'stop (trigger) price (stop and stop-limit orders)' },
  tif: { type: 'string', value: '<tif>', help: 'time in force: day (default), gtc, ioc or fok' },
  id: { type: 'string', value: '<clientOrderId>', help: 'client order id to use (default: a new manual… id); resending the same id never doubles an order' },
  wait: { type: 'string', value: '<duration>', help: 'how long to wait for the outcome (default 10s)' },
} as const satisfies FlagSpecs;

const FLAG_OF_FIELD: Partial<Record<keyof OrderSpec, string>> = {
  clientOrderId: '--id',
  account: '--account',
  instrument: '--venue/--symbol',
  quantity: '--qty',
  limitPrice: '--price',
  stopPrice: '--stop-price',
  timeInForce: '--tif',
};

const SIDES: Readonly<Record<string, OrderSide>> = { buy: 'BUY', sell: 'SELL' };
const TYPES: Readonly<Record<string, OrderType>> = { market: 'MARKET', limit: 'LIMIT', stop: 'STOP', 'stop-limit': 'STOP_LIMIT' };
const TIFS: Readonly<Record<string, TimeInForce>> = { day: 'DAY', gtc: 'GTC', ioc: 'IOC', fok: 'FOK' };

/**
 * A new client order id for a hand-entered order. The process id seeds the
 * counter so two `ttq` processes started in the same millisecond still differ.
 */
export function manualClientOrderId(nowMs: number = Date.now(), pid: number = process.pid): string {
  return new ClientOrderIdGenerator(MANUAL_STRATEGY_ID, nowMs, pid + 1).next();
}

/**
 * Builds the order spec of `ttq order submit` from its flags and checks it as
 * the gateway would (`validateOrderSpec`'s rules).
 * @throws UsageError for a missing or malformed flag, or a spec the domain refuses
 */
export function orderSpecFromArgs(args: ParsedArgs, newId: () => string = manualClientOrderId): OrderSpec {
  const account = requiredFlag(args, 'account', 'SIM001');
  const symbol = requiredFlag(args, 'symbol', 'ACME');
  const side = choiceFlag(args, 'side', SIDES);
  if (side === undefined) throw new UsageError('--side is required: buy or sell');
  const quantity = decimalFlag(args, 'qty');
  if (quantity === undefined) throw new UsageError('--qty is required, e.g. --qty 10');
  const limitPrice = decimalFlag(args, 'price');
  const stopPrice = decimalFlag(args, 'stop-price');
  const id = stringFlag(args, 'id');
  if (id !== undefined && !isValidClientOrderId(id)) {
    throw new UsageError(`--id: expected 1 to 32 characters [A-Za-z0-9], was ${JSON.stringify(id)}`);
  }
  const spec: OrderSpec = {
    clientOrderId: id ?? newId(),
    account,
    instrument: { venue: stringFlag(args, 'venue') ?? 'SIM', symbol },
    side,
    type: choiceFlag(args, 'type', TYPES) ?? 'MARKET',
    quantity,
    ...(limitPrice ? { limitPrice } : {}),
    ...(stopPrice ? { stopPrice } : {}),
    timeInForce: choiceFlag(args, 'tif', TIFS) ?? 'DAY',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: MANUAL_STRATEGY_ID,
    tags: { source: 'ttq' },
  };
  // The same check the gateway runs (validateOrderSpec), told in terms of the flags.
  const problem = findOrderSpecProblem(spec);
  if (problem !== undefined) {
    const flag = FLAG_OF_FIELD[problem.field];
    throw new UsageError(`invalid order: ${problem.reason}${flag ? ` (${flag})` : ''}`);
  }
  return spec;
}
