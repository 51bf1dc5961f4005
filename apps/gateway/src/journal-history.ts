import { topics } from '@ttquant/bus';
import type { ExecutionHistory } from '@ttquant/execution';
import type { Journal } from '@ttquant/journal';
import { decodeMessages, ProtocolError } from '@ttquant/protocol';
import type { Fill, OrderEvent } from '@ttquant/domain';

/**
 * What the gateway published in earlier runs, read back from its journal: the
 * order events and fills a restarted gateway rebuilds its state from.
 */
export function readExecutionHistory(journal: Journal, account: string): ExecutionHistory & { unreadable: number } {
  const orderTopic = topics.order(account);
  const fillTopic = topics.fill(account);
  const orderEvents: OrderEvent[] = [];
  const fills: Fill[] = [];
  let unreadable = 0;
  for (const record of journal.scan()) {
    if (record.topic !== orderTopic && record.topic !== fillTopic) continue;
    try {
      for (const { message } of decodeMessages(record.payload).messages) {
        if (message.kind === 'orderEvent') orderEvents.push(message.value);
        else if (message.kind === 'fill') fills.push(message.value);
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      unreadable++;
    }
  }
  return { orderEvents, fills, unreadable };
}
