// Helpers for this library's specs only (not exported from the index).
import { Long, SCHEMA_VERSION, bigIntToInt64, encodeEnvelope, wire } from '@ttquant/protocol';
import * as zmq from 'zeromq';
import type { BusMessage } from './bus-message';
import { inprocEndpoint, ipcEndpoint, type Transport } from './endpoints';
import type { Publisher } from './publisher';
import type { Subscriber } from './subscriber';
import { topics, type Topic } from './topics';

/** A realistic quote: 4-decimal prices and sizes, instrument, quality. */
export function quote(i: number, symbol = 'BTC/USDT'): wire.IPayload {
  return {
    quote: {
      instrument: { venue: 'binance', symbol },
      bidPrice: { mantissa: Long.fromNumber(643_215_000 + i), exponent: -4 },
      bidSize: { mantissa: Long.fromNumber(12_345), exponent: -4 },
      askPrice: { mantissa: Long.fromNumber(643_216_000 + i), exponent: -4 },
      askSize: { mantissa: Long.fromNumber(98_765), exponent: -4 },
      quality: wire.DataQuality.DATA_QUALITY_REALTIME,
    },
  };
}

/** A trade, to mix kinds on one md.tick topic. */
export function trade(i: number): wire.IPayload {
  return {
    trade: {
      instrument: { venue: 'binance', symbol: 'BTC/USDT' },
      price: { mantissa: Long.fromNumber(643_215_500 + i), exponent: -4 },
      size: { mantissa: Long.fromNumber(5_000), exponent: -4 },
      aggressor: wire.AggressorSide.AGGRESSOR_SIDE_BUYER,
      tradeId: `t${i}`,
      quality: wire.DataQuality.DATA_QUALITY_REALTIME,
    },
  };
}

/** A heartbeat payload for probes. */
export const heartbeat: wire.IPayload = {
  heartbeat: { service: 'probe', instance: 'p1', state: wire.ServiceState.SERVICE_STATE_READY },
};

const PROBE_PREFIX = topics.prefix.statusOfService('probe');
let probeCount = 0;

/** True for join-probe topics, which tests skip. */
export function isProbe(topic: string): boolean {
  return topic.startsWith(PROBE_PREFIX);
}

/** An endpoint a test socket can bind: wildcard port for tcp. */
export function bindableEndpoint(transport: Transport): string {
  if (transport === 'inproc') return inprocEndpoint('spec');
  if (transport === 'ipc') return ipcEndpoint('spec');
  return 'tcp://127.0.0.1:*';
}

/** Resolves after `ms`; used only as a polling interval or an upper bound, never as the thing awaited. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until true, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms, it never held`);
    await delay(5);
  }
}

/**
 * Waits until every subscription made so far is active at the publisher
 * (slow joiner): subscribes to a fresh probe topic, whose subscription travels
 * behind the earlier ones, and sends probes until one arrives.
 */
export async function awaitJoin(subscriber: Subscriber, sendProbe: (topic: Topic) => void, timeoutMs = 5000): Promise<void> {
  const probe = topics.status('probe', `p${++probeCount}`);
  subscriber.subscribe(probe);
  let arrived = false;
  const first = subscriber.next().then((result) => {
    arrived = true;
    return result;
  });
  const deadline = Date.now() + timeoutMs;
  while (!arrived) {
    if (Date.now() > deadline) throw new Error(`expected a probe to arrive within ${timeoutMs} ms, none did`);
    sendProbe(probe);
    await delay(10);
  }
  const result = await first;
  if (result.done || !isProbe(result.value.topic)) throw new Error(`expected a probe, got ${JSON.stringify(result.value)}`);
}

/** Probes through a TTQuant publisher. */
export function probeWith(publisher: Publisher): (topic: Topic) => void {
  return (topic) => {
    publisher.publish(topic, heartbeat);
    publisher.flush();
  };
}

/** The next `count` messages that are not probes. */
export async function take(subscriber: AsyncIterable<BusMessage> & { next(): Promise<IteratorResult<BusMessage>> }, count: number, timeoutMs = 5000): Promise<BusMessage[]> {
  const out: BusMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const remaining = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      subscriber.next(),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(remaining, 0)))),
    ]);
    clearTimeout(timer);
    if (result === 'timeout') throw new Error(`expected ${count} messages within ${timeoutMs} ms, got ${out.length}`);
    if (result.done) break;
    if (!isProbe(result.value.topic)) out.push(result.value);
  }
  return out;
}

/** Fields of a hand-made envelope. */
export interface CraftedEnvelope {
  readonly epoch?: bigint;
  readonly sequence: number;
  readonly service?: string;
  readonly instance?: string;
  readonly schemaVersion?: number;
  readonly payload?: wire.IPayload;
  readonly eventTimeNs?: bigint;
}

/** Encodes an envelope by hand, bypassing the Publisher (to skip sequences, repeat them, break them). */
export function craft(envelope: CraftedEnvelope): Uint8Array {
  return encodeEnvelope({
    header: {
      schemaVersion: envelope.schemaVersion ?? SCHEMA_VERSION,
      sourceService: envelope.service ?? 'crafter',
      sourceInstance: envelope.instance ?? 'c1',
      epoch: bigIntToInt64(envelope.epoch ?? 1_700_000_000_000_000_000n, true),
      sequence: bigIntToInt64(BigInt(envelope.sequence), true),
      eventTimeNs: bigIntToInt64(envelope.eventTimeNs ?? 1_700_000_000_000_000_001n),
      initTimeNs: bigIntToInt64(1_700_000_000_000_000_002n),
      sendTimeNs: bigIntToInt64(1_700_000_000_000_000_003n),
    },
    message: envelope.payload ?? heartbeat,
  });
}

/** A raw zeromq PUB for crafted frames, connected to `endpoint`. */
export function rawPublisher(endpoint: string): zmq.Publisher {
  const socket = new zmq.Publisher({ linger: 0 });
  socket.connect(endpoint);
  return socket;
}

/** Probes through a raw PUB with crafted envelopes. */
export function rawProbe(socket: zmq.Publisher): (topic: Topic) => void {
  let sequence = 0;
  return (topic) => {
    void socket.send([topic, craft({ sequence: ++sequence, service: 'probe', instance: 'raw' })]);
  };
}
