import { writeFileSync } from 'node:fs';
import type { OrderEvent } from '@ttquant/domain';
import { DECIDED_TAG, TICK_INIT_TAG } from '@ttquant/strategy';

/** First line of the file {@link LatencyRecorder.write} produces. */
export const LATENCY_SAMPLES_HEADER = 'clientOrderId,tickInitNs,decidedNs,acceptedNs,receivedNs';

/** One order that reached the venue, with the times of the stages it went through (ns since the epoch). */
export interface LatencySample {
  readonly clientOrderId: string;
  /** When market data made the tick that triggered the order (order tag `tickInitNs`). */
  readonly tickInitNs: bigint;
  /** When the strategy decided (order tag `decidedNs`); undefined when the tag is missing. */
  readonly decidedNs: bigint | undefined;
  /** When the gateway began checking the order (the order's created time). */
  readonly acceptedNs: bigint;
  /** When the venue received it. */
  readonly receivedNs: bigint;
}

const NANOS = /^\d{1,20}$/;

/**
 * Measures tick-to-order latency inside the gateway, for `npm run bench -- latency`:
 * every order that carries its triggering tick's init time in the tags (the
 * latency probe strategy sets it) is recorded when the venue receives it, and
 * the samples are written to a CSV file at shutdown. Orders without the tag are
 * ignored. Off unless `gateway.latencySamplesFile` is set.
 */
export class LatencyRecorder {
  private readonly samples: LatencySample[] = [];

  /** @param lookup the order's last event by client order id (the execution engine's). */
  constructor(private readonly lookup: (clientOrderId: string) => OrderEvent | undefined) {}

  /** Samples recorded so far. */
  get count(): number {
    return this.samples.length;
  }

  /** Notes that the venue received `clientOrderId` at `receivedNs`. */
  record(clientOrderId: string, receivedNs: bigint): void {
    const order = this.lookup(clientOrderId)?.order;
    if (!order) return;
    const tickInit = order.spec.tags[TICK_INIT_TAG];
    if (tickInit === undefined || !NANOS.test(tickInit)) return;
    const decided = order.spec.tags[DECIDED_TAG];
    this.samples.push({
      clientOrderId,
      tickInitNs: BigInt(tickInit),
      decidedNs: decided !== undefined && NANOS.test(decided) ? BigInt(decided) : undefined,
      acceptedNs: order.createdTime,
      receivedNs,
    });
  }

  /** Every sample so far, oldest first. */
  all(): readonly LatencySample[] {
    return this.samples;
  }

  /** Writes every sample as CSV ({@link LATENCY_SAMPLES_HEADER}; an unknown decision time is empty). */
  write(file: string): void {
    const lines = [LATENCY_SAMPLES_HEADER];
    for (const s of this.samples) {
      lines.push(`${s.clientOrderId},${s.tickInitNs},${s.decidedNs ?? ''},${s.acceptedNs},${s.receivedNs}`);
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
  }
}

/**
 * Parses a file written by {@link LatencyRecorder.write}.
 * @throws Error naming the line that does not have the expected shape.
 */
export function parseLatencySamples(text: string): LatencySample[] {
  const lines = text.split('\n').filter((line) => line !== '');
  if (lines[0] !== LATENCY_SAMPLES_HEADER) {
    throw new Error(`expected the header ${LATENCY_SAMPLES_HEADER}, was ${JSON.stringify(lines[0] ?? '')}`);
  }
  return lines.slice(1).map((line, index) => {
    const [clientOrderId = '', tickInit = '', decided = '', accepted = '', received = '', ...rest] = line.split(',');
    if (rest.length > 0 || clientOrderId === '' || ![tickInit, accepted, received].every((v) => NANOS.test(v)) || (decided !== '' && !NANOS.test(decided))) {
      throw new Error(`latency samples line ${index + 2}: expected id,tickInitNs,decidedNs,acceptedNs,receivedNs, was ${JSON.stringify(line)}`);
    }
    return {
      clientOrderId,
      tickInitNs: BigInt(tickInit),
      decidedNs: decided === '' ? undefined : BigInt(decided),
      acceptedNs: BigInt(accepted),
      receivedNs: BigInt(received),
    };
  });
}
