import { fork, type ChildProcess } from 'node:child_process';
import { EnvelopeStamper, freeTcpPort, topics } from '@ttquant/bus';
import { encodePayload } from '@ttquant/protocol';
import * as zmq from 'zeromq';
import { waitForChildMessage } from '@ttquant/testing';
import { makeQuotes } from './bench-quotes';

/*
 * The bus's raw message rate beside the end-to-end figure: bare zeromq.js
 * PUB → SUB over tcp between two processes (this bench file forked with a
 * role), one pre-encoded quote envelope per send, as fast as the sender goes.
 * PUB/SUB drops at the high-water mark when the receiver is slower, so the
 * receiver counts what arrived, after a short warm-up.
 */

/** The roles a raw bus trial forks. */
export const BUS_ROLES = ['bus-sender', 'bus-receiver'] as const;
/** One of {@link BUS_ROLES}. */
export type BusRole = (typeof BUS_ROLES)[number];

const HWM = 100_000;
const CHUNK = 1000;
const WARMUP_MS = 300;
/** The receiver reports once nothing has arrived for this long after the sender finished. */
const SETTLE_MS = 300;
const TOPIC = topics.tick('binance', 'BTC/USDT');

interface ReceiverResult {
  readonly type: 'result';
  readonly perSecond: number;
  readonly counted: number;
}

function arg(argv: readonly string[], name: string): string {
  const i = argv.indexOf(`--${name}`);
  const value = i >= 0 ? argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`expected --${name} <value> for a bus role, it is missing`);
  return value;
}

function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function runSender(endpoint: string, seconds: number): Promise<void> {
  const socket = new zmq.Publisher({ sendHighWaterMark: HWM, linger: 0 });
  socket.connect(endpoint);
  const quote = makeQuotes(1, 1_763_686_800_000_000_000n, 'bench', 1n).ticks[0];
  if (!quote) throw new Error('expected one bench quote, got none');
  const envelope = new EnvelopeStamper({ source: { service: 'market-data', instance: 'bench' } }).encodeMessage(
    1,
    encodePayload({ kind: 'quote', value: quote }),
    { eventTimeNs: quote.eventTime, initTimeNs: quote.initTime },
  );
  const frames: [Buffer, Uint8Array] = [Buffer.from(TOPIC), envelope];
  // Let the subscription reach the publisher before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const end = performance.now() + seconds * 1000;
  let last: Promise<void> | undefined;
  while (performance.now() < end) {
    for (let i = 0; i < CHUNK; i++) {
      try {
        last = socket.send(frames);
      } catch {
        // EBUSY: zeromq.js still holds the previous send; wait for it, then go on.
        await last;
        last = socket.send(frames);
      }
    }
    await yieldTurn();
  }
  socket.close();
  process.send?.({ type: 'done' }, () => process.exit(0));
}

async function runReceiver(endpoint: string): Promise<void> {
  const socket = new zmq.Subscriber({ receiveHighWaterMark: HWM, linger: 0 });
  await socket.bind(endpoint);
  socket.subscribe('');
  let count = 0;
  // The clock is read on a timer, not per message.
  let firstAt = 0;
  let baseCount = -1;
  let baseAt = 0;
  let lastCount = 0;
  let lastAt = 0;
  const sampler = setInterval(() => {
    if (count === lastCount) return;
    const now = performance.now();
    lastCount = count;
    lastAt = now;
    if (firstAt === 0) firstAt = now;
    else if (baseCount < 0 && now - firstAt >= WARMUP_MS) {
      baseCount = count;
      baseAt = now;
    }
  }, 5);
  const loop = (async () => {
    for (;;) {
      try {
        await socket.receive();
      } catch {
        return;
      }
      count++;
    }
  })();
  process.on('message', async (message: { type?: string }) => {
    if (message.type !== 'finish') return;
    while (lastAt === 0 || performance.now() - lastAt < SETTLE_MS) await new Promise((resolve) => setTimeout(resolve, 50));
    clearInterval(sampler);
    const counted = baseCount < 0 ? 0 : lastCount - baseCount;
    const seconds = (lastAt - baseAt) / 1000;
    socket.close();
    await loop;
    const result: ReceiverResult = { type: 'result', perSecond: seconds > 0 ? counted / seconds : 0, counted };
    process.send?.(result, () => process.exit(0));
  });
  process.send?.({ type: 'ready' });
}

/** Runs one bus role in this (forked) process, with its settings from `argv`. */
export function runBusRole(role: BusRole, argv: readonly string[]): Promise<void> {
  return role === 'bus-sender' ? runSender(arg(argv, 'endpoint'), Number(arg(argv, 'seconds'))) : runReceiver(arg(argv, 'endpoint'));
}

function exited(child: ChildProcess): Promise<unknown> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
}

/** One trial: raw PUB → SUB messages per second received, sender and receiver forked from `benchFile`. */
export async function runBusRawTrial(benchFile: string, seconds: number): Promise<number> {
  const endpoint = `tcp://127.0.0.1:${await freeTcpPort()}`;
  const receiver = fork(benchFile, ['--role', 'bus-receiver', '--endpoint', endpoint], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let sender: ChildProcess | undefined;
  try {
    await waitForChildMessage(receiver, 'the bus receiver', 'ready');
    sender = fork(benchFile, ['--role', 'bus-sender', '--endpoint', endpoint, '--seconds', String(seconds)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await waitForChildMessage(sender, 'the bus sender', 'done');
    const result = waitForChildMessage<ReceiverResult>(receiver, 'the bus receiver', 'result');
    receiver.send({ type: 'finish' });
    return (await result).perSecond;
  } finally {
    for (const child of [sender, receiver]) {
      if (!child) continue;
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(timer);
    }
  }
}
