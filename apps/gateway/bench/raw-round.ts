import { fork, type ChildProcess } from 'node:child_process';
import { EnvelopeStamper, freeTcpPort, topics } from '@ttquant/bus';
import { Decimal, systemClock, type OrderSpec, type QuoteTick } from '@ttquant/domain';
import { encodePayload } from '@ttquant/protocol';
import * as zmq from 'zeromq';
import { summarise, type LatencySummary } from './latency-stats';
import { CpuWindow, waitForChildMessage, type BackgroundCpu } from '@ttquant/testing';
import type { RoundOptions } from './ttquant-round';

/*
 * The raw zeromq.js baseline: the same hops as TTQuant with nothing on top.
 *
 *   publisher ──PUB──▶ XSUB│proxy│XPUB ──SUB──▶ subscriber ──PUSH──▶ puller
 *
 * The publisher sends pre-encoded envelopes of a TTQuant tick's size, paced
 * like the sim feed (every millisecond, the ticks due by the clock), each
 * carrying the time it was made in its first 8 bytes; the subscriber pushes a
 * message of an order command's size carrying that time and its own receive
 * time on every N-th tick; the puller subtracts them from its own clock. Every role is this bench file,
 * forked with `--role raw-<name>`.
 */

/** The roles a raw round forks. */
export const RAW_ROLES = ['raw-proxy', 'raw-publisher', 'raw-subscriber', 'raw-puller'] as const;
/** One of {@link RAW_ROLES}. */
export type RawRole = (typeof RAW_ROLES)[number];

/** What one raw round measured. */
export interface RawRoundResult {
  readonly latency: LatencySummary;
  /** Ticks per second the publisher sent. */
  readonly ticksPerSecond: number;
  /** Orders the subscriber should have pushed for the window's ticks. */
  readonly expectedOrders: number;
  /** Where the time went: made → subscriber received it, subscriber → puller received the order. */
  readonly stages: { readonly toSubscriber: LatencySummary; readonly toPuller: LatencySummary };
  /** Percent of one CPU each role used during the window. */
  readonly cpu: { readonly proxy: number; readonly publisher: number; readonly subscriber: number; readonly puller: number };
  /** What else used the CPUs during the window. */
  readonly background: BackgroundCpu;
}

const HWM = 100_000;
const TICK_TOPIC = topics.tick('SIM', 'ACME');
const ORDER_TOPIC = topics.orderCommand('SIM001');
const SOURCE = { service: 'market-data', instance: 'bench' };

/** A tick envelope as market data would publish it. */
function tickTemplate(): Buffer {
  const now = systemClock.nowNanos();
  const quote: QuoteTick = {
    kind: 'quote',
    instrument: { venue: 'SIM', symbol: 'ACME' },
    bidPrice: Decimal.parse('100.00'),
    askPrice: Decimal.parse('100.02'),
    bidSize: Decimal.of(23),
    askSize: Decimal.of(41),
    quality: 'SIMULATED',
    eventTime: now,
    initTime: now,
  };
  return Buffer.from(new EnvelopeStamper({ source: SOURCE }).encodeMessage(1, encodePayload({ kind: 'quote', value: quote }), { eventTimeNs: now, initTimeNs: now }));
}

/** An order command envelope as the probe would push it. */
function orderTemplate(): Buffer {
  const now = systemClock.nowNanos();
  const spec: OrderSpec = {
    clientOrderId: 'probe0mhxk2a1b0000001',
    account: 'SIM001',
    instrument: { venue: 'SIM', symbol: 'ACME' },
    side: 'BUY',
    type: 'MARKET',
    quantity: Decimal.ONE,
    timeInForce: 'DAY',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 'probe',
    tags: { tickInitNs: now.toString(), decidedNs: now.toString() },
  };
  const source = { service: 'strategy-engine', instance: 'bench' };
  return Buffer.from(new EnvelopeStamper({ source }).encodeMessage(1, encodePayload({ kind: 'submitOrder', value: spec }), { eventTimeNs: now }));
}

/**
 * Sends without awaiting each message. zeromq.js completes a send at once
 * while it can; when one stays pending, further sends throw EBUSY until it
 * completes, so those wait here, in order.
 */
class NonBlockingSender {
  private last: Promise<void> | undefined;
  private readonly waiting: Buffer[][] = [];
  private flushing = false;

  constructor(private readonly socket: zmq.Publisher | zmq.Push) {}

  send(frames: Buffer[]): void {
    if (this.waiting.length === 0) {
      try {
        this.last = this.socket.send(frames);
        return;
      } catch {
        // EBUSY: the previous send is still pending.
      }
    }
    this.waiting.push(frames);
    if (!this.flushing) void this.flush();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0 && !this.socket.closed) {
      await this.last;
      try {
        this.last = this.socket.send(this.waiting[0] as Buffer[]);
        this.waiting.shift();
      } catch {
        // Still busy although the last send completed: try again next turn.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    this.flushing = false;
  }
}

function tell(message: object): void {
  process.send?.(message);
}

function onCommand(type: string, handler: () => void | Promise<void>): void {
  process.on('message', (message: { type?: string }) => {
    if (message.type === type) void handler();
  });
}

async function runProxy(frontend: string, backend: string): Promise<void> {
  const xsub = new zmq.XSubscriber({ receiveHighWaterMark: HWM, sendHighWaterMark: HWM });
  const xpub = new zmq.XPublisher({ receiveHighWaterMark: HWM, sendHighWaterMark: HWM });
  await xsub.bind(frontend);
  await xpub.bind(backend);
  const proxy = new zmq.Proxy(xsub, xpub);
  const done = proxy.run();
  onCommand('exit', async () => {
    proxy.terminate();
    await done;
    process.exit(0);
  });
  tell({ type: 'ready' });
}

function runPublisher(frontend: string, ticksPerSecond: number): void {
  const socket = new zmq.Publisher({ sendHighWaterMark: HWM, linger: 0 });
  socket.connect(frontend);
  const sender = new NonBlockingSender(socket);
  const topic = Buffer.from(TICK_TOPIC);
  const template = tickTemplate();
  let timer: NodeJS.Timeout | undefined;
  let sent = 0;
  let startNs = 0n;
  onCommand('start', () => {
    startNs = systemClock.nowNanos();
    const perNano = ticksPerSecond / 1e9;
    // Paced like the sim feed: every millisecond, the ticks due by the clock.
    timer = setInterval(() => {
      const due = Math.floor(Number(systemClock.nowNanos() - startNs) * perNano);
      for (; sent < due; sent++) {
        const body = Buffer.allocUnsafe(template.length);
        template.copy(body);
        body.writeBigInt64LE(systemClock.nowNanos(), 0);
        sender.send([topic, body]);
      }
    }, 1);
  });
  onCommand('stop', () => {
    clearInterval(timer);
    const seconds = Number(systemClock.nowNanos() - startNs) / 1e9;
    tell({ type: 'stopped', ticksPerSecond: sent / seconds });
  });
  onCommand('exit', () => {
    socket.close();
    process.exit(0);
  });
  tell({ type: 'ready' });
}

async function runSubscriber(backend: string, pullEndpoint: string, every: number): Promise<void> {
  const subscriber = new zmq.Subscriber({ receiveHighWaterMark: HWM, linger: 0 });
  subscriber.connect(backend);
  subscriber.subscribe(TICK_TOPIC);
  const push = new zmq.Push({ sendHighWaterMark: HWM, linger: 0 });
  push.connect(pullEndpoint);
  const sender = new NonBlockingSender(push);
  const topic = Buffer.from(ORDER_TOPIC);
  const template = orderTemplate();
  onCommand('exit', () => {
    subscriber.close();
    push.close();
    process.exit(0);
  });
  tell({ type: 'ready' });
  let seen = 0;
  for (;;) {
    const [, body] = await subscriber.receive();
    if (++seen % every !== 0 || !body) continue;
    const receivedNs = systemClock.nowNanos();
    const order = Buffer.allocUnsafe(template.length);
    template.copy(order);
    body.copy(order, 0, 0, 8);
    order.writeBigInt64LE(receivedNs, 8);
    sender.send([topic, order]);
  }
}

async function runPuller(pullEndpoint: string): Promise<void> {
  const pull = new zmq.Pull({ receiveHighWaterMark: HWM, linger: 0 });
  await pull.bind(pullEndpoint);
  const made: bigint[] = [];
  const decided: bigint[] = [];
  const received: bigint[] = [];
  onCommand('finish', () => {
    tell({ type: 'samples', made: made.map(String), decided: decided.map(String), received: received.map(String) });
  });
  onCommand('exit', () => {
    pull.close();
    process.exit(0);
  });
  tell({ type: 'ready' });
  for (;;) {
    const [, body] = await pull.receive();
    const now = systemClock.nowNanos();
    if (!body) continue;
    made.push(body.readBigInt64LE(0));
    decided.push(body.readBigInt64LE(8));
    received.push(now);
  }
}

function arg(argv: readonly string[], name: string): string {
  const i = argv.indexOf(`--${name}`);
  const value = i >= 0 ? argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`expected --${name} <value> for a raw role, it is missing`);
  return value;
}

/** Runs one raw role in this (forked) process, with its settings from `argv`. */
export function runRawRole(role: RawRole, argv: readonly string[]): Promise<void> {
  switch (role) {
    case 'raw-proxy':
      return runProxy(arg(argv, 'frontend'), arg(argv, 'backend'));
    case 'raw-publisher':
      runPublisher(arg(argv, 'frontend'), Number(arg(argv, 'rate')));
      return Promise.resolve();
    case 'raw-subscriber':
      return runSubscriber(arg(argv, 'backend'), arg(argv, 'pull'), Number(arg(argv, 'every')));
    case 'raw-puller':
      return runPuller(arg(argv, 'pull'));
  }
}

async function exit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'exit' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One raw round: forks the four roles from `benchFile`, measures the window after the warm-up. */
export async function runRawRound(benchFile: string, options: RoundOptions): Promise<RawRoundResult> {
  const endpoint = async () => `tcp://127.0.0.1:${await freeTcpPort()}`;
  const [frontend, backend, pull] = [await endpoint(), await endpoint(), await endpoint()];
  const children: ChildProcess[] = [];
  const start = async (role: RawRole, args: string[]): Promise<ChildProcess> => {
    const child = fork(benchFile, ['--role', role, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    await waitForChildMessage(child, role, 'ready');
    return child;
  };
  try {
    const proxy = await start('raw-proxy', ['--frontend', frontend, '--backend', backend]);
    const puller = await start('raw-puller', ['--pull', pull]);
    const subscriber = await start('raw-subscriber', ['--backend', backend, '--pull', pull, '--every', String(options.every)]);
    const publisher = await start('raw-publisher', ['--frontend', frontend, '--rate', String(options.ticksPerSecond)]);
    publisher.send({ type: 'start' });

    await sleep(options.warmupSeconds * 1000);
    const cpuWindow = CpuWindow.open([proxy.pid, publisher.pid, subscriber.pid, puller.pid]);
    const from = systemClock.nowNanos();
    await sleep(options.seconds * 1000);
    const to = systemClock.nowNanos();
    const { shares, background } = cpuWindow.close(Number(to - from) / 1e9);
    const [proxyCpu, publisherCpu, subscriberCpu, pullerCpu] = shares;
    const stopped = waitForChildMessage<{ ticksPerSecond: number }>(publisher, 'raw-publisher', 'stopped');
    publisher.send({ type: 'stop' });
    const { ticksPerSecond } = await stopped;
    await sleep(200);
    const reply = waitForChildMessage<{ made: string[]; decided: string[]; received: string[] }>(puller, 'raw-puller', 'samples');
    puller.send({ type: 'finish' });
    const { made, decided, received } = await reply;

    const latencies: number[] = [];
    const toSubscriber: number[] = [];
    const toPuller: number[] = [];
    made.forEach((text, i) => {
      const madeNs = BigInt(text);
      if (madeNs < from || madeNs >= to) return;
      const decidedNs = BigInt(decided[i] as string);
      const receivedNs = BigInt(received[i] as string);
      latencies.push(Number(receivedNs - madeNs));
      toSubscriber.push(Number(decidedNs - madeNs));
      toPuller.push(Number(receivedNs - decidedNs));
    });
    return {
      latency: summarise(latencies),
      stages: { toSubscriber: summarise(toSubscriber), toPuller: summarise(toPuller) },
      ticksPerSecond,
      expectedOrders: Math.round((ticksPerSecond * options.seconds) / options.every),
      cpu: { proxy: proxyCpu as number, publisher: publisherCpu as number, subscriber: subscriberCpu as number, puller: pullerCpu as number },
      background,
    };
  } finally {
    // Producer first, proxy last, like the services.
    for (const child of children.reverse()) await exit(child);
  }
}
