import type { OrderEvent } from '@ttquant/domain';
import type { DomainMessage } from '@ttquant/protocol';
import { CLI_EXIT, UnreachableError, type CliExitCode } from '../cli-errors';
import type { CommandContext } from '../command';
import { humanDuration, jsonText, renderTable } from '../output';
import { fetchGatewayState } from './gateway-state';
import { ORDER_COLUMNS } from './orders';
import { CommandSender, OrderWatch, type WatchOutcome } from './order-watch';

/** Longest wait for the gateway's heartbeat before sending anyway. */
const GATEWAY_HEARTBEAT_WAIT_MS = 3_000;
/** How long the state query after a timeout may take. */
const FALLBACK_STATE_TIMEOUT_MS = 2_000;

/** One order command and what counts as its outcome. */
export interface OrderCommandPlan {
  readonly account: string;
  readonly clientOrderId: string;
  readonly command: DomainMessage;
  /** True once the order's state is the answer to the command. */
  readonly settled: (event: OrderEvent) => boolean;
  readonly waitMs: number;
}

/**
 * Sends an order command and waits for its outcome: subscribes to the
 * account's order events and denials first, waits (briefly) until the
 * gateway's heartbeat shows those subscriptions are in place, PUSHes the
 * command, then waits for the order to settle. If time runs out, the
 * gateway's control endpoint is asked for the order's state, in case events
 * were missed on the way.
 *
 * @throws UnreachableError when the command cannot be delivered, or nothing at all is heard back
 */
export async function runOrderCommand(ctx: CommandContext, plan: OrderCommandPlan): Promise<WatchOutcome> {
  const config = ctx.config();
  const watch = new OrderWatch(config, plan.account);
  const sender = new CommandSender(config);
  try {
    watch.track(plan.clientOrderId);
    const deadline = Date.now() + plan.waitMs;
    if (!(await watch.waitForGateway(Math.min(GATEWAY_HEARTBEAT_WAIT_MS, plan.waitMs), ctx.signal))) {
      ctx.io.err(
        `ttq: no heartbeat from the gateway of ${plan.account} via hub ${config.bus.xpubEndpoint} yet; sending anyway\n`,
      );
    }
    await sender.send(plan.account, plan.command);
    const outcome = await watch.waitFor(plan.settled, Math.max(0, deadline - Date.now()), ctx.signal);
    if (outcome.kind !== 'timeout' || ctx.signal.aborted) return outcome;
    return await askGateway(ctx, plan, outcome.event);
  } finally {
    sender.close();
    await watch.close();
  }
}

async function askGateway(ctx: CommandContext, plan: OrderCommandPlan, heard: OrderEvent | undefined): Promise<WatchOutcome> {
  const config = ctx.config();
  try {
    const state = await fetchGatewayState(config, plan.account, FALLBACK_STATE_TIMEOUT_MS);
    const event = state.orders.find((e) => e.order.spec.clientOrderId === plan.clientOrderId) ?? heard;
    if (event && plan.settled(event)) return { kind: 'settled', event };
    return { kind: 'timeout', event };
  } catch (error) {
    if (!(error instanceof UnreachableError) || heard) return { kind: 'timeout', event: heard };
    throw new UnreachableError(
      'hub XPUB endpoint',
      config.bus.xpubEndpoint,
      `no event of order ${plan.clientOrderId} within ${humanDuration(plan.waitMs)}, and the gateway control endpoint ${config.cli.gatewayControl} did not answer either`,
    );
  }
}

/**
 * Prints an outcome (a table, or JSON with the last order event) and returns the exit code:
 * `ok(event)` decides for a settled order; a denial or a timeout is a failure.
 */
export function reportOutcome(ctx: CommandContext, json: boolean, outcome: WatchOutcome, waitMs: number, ok: (event: OrderEvent) => boolean): CliExitCode {
  const { event } = outcome;
  if (json) ctx.io.out(jsonText(event ?? (outcome.kind === 'denied' ? outcome.denial : null)));
  else if (event) ctx.io.out(renderTable(ORDER_COLUMNS, [event]));
  switch (outcome.kind) {
    case 'settled':
      if (ok(outcome.event)) return CLI_EXIT.ok;
      ctx.io.err(`ttq: order ${outcome.event.order.spec.clientOrderId} ${outcome.event.order.status}${outcome.event.reason ? `: ${outcome.event.reason}` : ''}\n`);
      return CLI_EXIT.failed;
    case 'denied':
      ctx.io.err(`ttq: denied by ${outcome.denial.check}: ${outcome.denial.reason}\n`);
      return CLI_EXIT.failed;
    case 'timeout':
      ctx.io.err(
        event
          ? `ttq: order ${event.order.spec.clientOrderId} still ${event.order.status} after ${humanDuration(waitMs)}; see ttq orders\n`
          : `ttq: no answer within ${humanDuration(waitMs)}\n`,
      );
      return CLI_EXIT.failed;
  }
}
