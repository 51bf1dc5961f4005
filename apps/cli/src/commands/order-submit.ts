import type { OrderEvent, OrderSpec } from '@ttquant/domain';
import { booleanFlag, durationFlag } from '../args';
import { CLI_EXIT } from '../cli-errors';
import type { Command } from '../command';
import { reportOutcome, runOrderCommand } from './order-flow';
import { orderSpecFromArgs, SUBMIT_FLAGS } from './order-spec';
import { TERMINAL_STATUSES } from './order-watch';

/** Default time `ttq order …` waits for the outcome. */
export const DEFAULT_ORDER_WAIT_MS = 10_000;

/**
 * When a submitted order's state answers the command: a terminal state, or,
 * for an order meant to rest on the book (not market, not IOC/FOK), accepted
 * or partly filled.
 */
export function submitSettled(spec: OrderSpec): (event: OrderEvent) => boolean {
  const rests = spec.type !== 'MARKET' && spec.timeInForce !== 'IOC' && spec.timeInForce !== 'FOK';
  return (event) =>
    TERMINAL_STATUSES.has(event.order.status) || (rests && (event.order.status === 'ACCEPTED' || event.order.status === 'PARTIALLY_FILLED'));
}

/** Whether two specs ask for the same order (a resend of the same command). */
export function sameOrder(a: OrderSpec, b: OrderSpec): boolean {
  return (
    a.account === b.account &&
    a.instrument.venue === b.instrument.venue &&
    a.instrument.symbol === b.instrument.symbol &&
    a.side === b.side &&
    a.type === b.type &&
    a.quantity.eq(b.quantity) &&
    (a.limitPrice?.toString() ?? '') === (b.limitPrice?.toString() ?? '') &&
    (a.stopPrice?.toString() ?? '') === (b.stopPrice?.toString() ?? '')
  );
}

/** `ttq order submit`: sends one order and waits for its outcome. */
export const orderSubmitCommand: Command = {
  name: 'order submit',
  summary: 'send an order to the gateway and wait for its outcome',
  details: 'Exit 0 when the venue took it, 1 when denied or rejected.',
  usage:
    'ttq order submit --account <account> --symbol <symbol> [--venue SIM] --side buy|sell --qty <quantity> ' +
    '[--type market|limit|stop|stop-limit] [--price <p>] [--stop-price <p>] [--tif day|gtc|ioc|fok] [--wait 10s] [--json]',
  flags: SUBMIT_FLAGS,
  async run(args, ctx) {
    const spec = orderSpecFromArgs(args);
    const waitMs = durationFlag(args, 'wait', DEFAULT_ORDER_WAIT_MS);
    const outcome = await runOrderCommand(ctx, {
      account: spec.account,
      clientOrderId: spec.clientOrderId,
      command: { kind: 'submitOrder', value: spec },
      settled: submitSettled(spec),
      waitMs,
    });
    const code = reportOutcome(ctx, booleanFlag(args, 'json'), outcome, waitMs, (e) => e.order.status !== 'DENIED' && e.order.status !== 'REJECTED');
    const answered = outcome.event?.order.spec;
    if (answered && !sameOrder(answered, spec)) {
      // The gateway answers a known client order id with that order's state and never sends it again.
      ctx.io.err(`ttq: client order id ${spec.clientOrderId} already belongs to the order above; this one was not sent to the venue\n`);
      return CLI_EXIT.failed;
    }
    return code;
  },
};
