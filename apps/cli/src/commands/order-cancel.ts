import { isValidClientOrderId } from '@ttquant/domain';
import { booleanFlag, durationFlag, requiredFlag, type FlagSpecs } from '../args';
import { UsageError } from '../cli-errors';
import type { Command } from '../command';
import { reportOutcome, runOrderCommand } from './order-flow';
import { DEFAULT_ORDER_WAIT_MS } from './order-submit';
import { TERMINAL_STATUSES } from './order-watch';

const flags = {
  account: { type: 'string', value: '<account>', help: 'account of the order (required)' },
  wait: { type: 'string', value: '<duration>', help: 'how long to wait for the outcome (default 10s)' },
} as const satisfies FlagSpecs;

/** `ttq order cancel <clientOrderId>`: cancels a working order and waits until it is gone. */
export const orderCancelCommand: Command = {
  name: 'order cancel',
  summary: 'cancel a working order and wait for the outcome',
  details: 'Exit 0 when canceled, 1 when refused or the order ended otherwise.',
  usage: 'ttq order cancel <clientOrderId> --account <account> [--wait 10s] [--json]',
  flags,
  maxPositionals: 1,
  async run(args, ctx) {
    const clientOrderId = args.positionals[0];
    if (clientOrderId === undefined) throw new UsageError('order cancel: expected the client order id, e.g. ttq order cancel manual1abc --account SIM001');
    if (!isValidClientOrderId(clientOrderId)) {
      throw new UsageError(`order cancel: expected a client order id of 1 to 32 characters [A-Za-z0-9], was ${JSON.stringify(clientOrderId)}`);
    }
    const account = requiredFlag(args, 'account', 'SIM001');
    const waitMs = durationFlag(args, 'wait', DEFAULT_ORDER_WAIT_MS);
    const outcome = await runOrderCommand(ctx, {
      account,
      clientOrderId,
      command: { kind: 'cancelOrder', value: { clientOrderId, account } },
      settled: (event) => TERMINAL_STATUSES.has(event.order.status),
      waitMs,
    });
    return reportOutcome(ctx, booleanFlag(args, 'json'), outcome, waitMs, (e) => e.order.status === 'CANCELED');
  },
};
