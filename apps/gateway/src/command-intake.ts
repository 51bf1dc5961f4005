import type { BusMessage, Puller } from '@ttquant/bus';
import type { InstrumentId } from '@ttquant/domain';
import type { ExecutionEngine } from '@ttquant/execution';
import { decodeInbound } from '@ttquant/service-bus';

/**
 * Takes order commands off the PULL socket and hands them to the execution
 * engine one at a time (awaiting each, so a flood of commands holds back the
 * senders' PUSH sockets instead of growing memory). Anything that is not a
 * well-formed order command is refused with its reason and counted; the loop
 * never stops on bad input.
 */
export class CommandIntake {
  private running: Promise<void> | undefined;

  constructor(
    private readonly puller: Puller,
    private readonly engine: ExecutionEngine,
  ) {}

  start(): void {
    this.running = this.puller.consume((message) => this.handle(message));
  }

  /** Stops taking commands; resolves when the last one was handed over. */
  async stop(): Promise<void> {
    this.puller.close();
    await this.running;
  }

  private handle(bus: BusMessage): Promise<void> | void {
    const inbound = decodeInbound(bus);
    if (!inbound.ok) {
      const raw = bus.payload.submitOrder ?? bus.payload.cancelOrder ?? bus.payload.modifyOrder;
      const instrument = bus.payload.submitOrder?.instrument;
      return this.engine.refuseMalformed(
        `command refused: ${inbound.error.message}`,
        raw?.clientOrderId ?? '',
        instrument ? ({ venue: instrument.venue ?? '', symbol: instrument.symbol ?? '' } satisfies InstrumentId) : undefined,
      );
    }
    const { message } = inbound;
    switch (message.kind) {
      case 'submitOrder':
        return this.engine.submit(message.value);
      case 'cancelOrder':
        return this.engine.cancel(message.value);
      case 'modifyOrder':
        return this.engine.modify(message.value);
      case 'cancelAllOrders':
        return this.engine.cancelAll(message.value);
      default:
        return this.engine.refuseMalformed(`expected an order command, was a ${message.kind}`);
    }
  }
}
