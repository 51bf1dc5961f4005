/*
 * Bus throughput: raw zeromq.js against TTQuant's Publisher → Subscriber.
 *
 *   npm run bench -- bus [--transport ipc|tcp] [--seconds 3] [--rounds 3] [--no-batched] [--no-raw-tuned]
 *
 * Sender and receiver run in separate processes (this file, forked with a
 * role). Each trial: the receiver binds a SUB, the sender connects a PUB and
 * sends as fast as it can for --seconds; the receiver reports how many
 * messages per second it got after a short warm-up (PUB/SUB drops at the
 * high-water mark when the receiver is slower, so only arrivals count).
 *
 *   raw      pre-encoded envelopes of TTQuant's size, one per send, non-blocking sends,
 *            a bare `await socket.receive()` loop at the receiver
 *   ttquant  Publisher.publish (stamp + encode per message, no batching) →
 *            Subscriber async iterator (decode, validate, sequence-check every message;
 *            the consumer reads payload, sequence and event time)
 *   batched  as ttquant with batch { maxSize: 64, maxDelayMs: 1 } (extra information)
 *   raw-tuned  raw with the socket settings TTQuant uses (zero send timeout on the PUB,
 *            zero receive timeout while a backlog lasts), so that what the library
 *            gains from settings and what it costs in code can be told apart (extra information)
 *
 * Rounds alternate the modes; the result is the median per mode. The last
 * line of output is one JSON object.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { decodeEnvelope, wire, Long } from '@ttquant/protocol';
import * as zmq from 'zeromq';
import {
  EnvelopeReader,
  EnvelopeStamper,
  Publisher,
  Subscriber,
  ipcEndpoint,
  removeIpcFile,
  tcpEndpoint,
  topics,
  type BusMessage,
} from '../src';

type Mode = 'raw' | 'raw-tuned' | 'ttquant' | 'batched';
type Transport = 'ipc' | 'tcp';

interface ReceiverResult {
  readonly type: 'result';
  readonly perSecond: number;
  /** Receiver CPU time (user + system, all threads) per message counted. */
  readonly cpuNsPerMessage: number;
  readonly counted: number;
  readonly seconds: number;
  readonly gaps: number;
  readonly missing: number;
  readonly malformed: number;
}

const TOPIC = topics.tick('binance', 'BTC/USDT');
const SOURCE = { service: 'market-data', instance: 'bench-1' };
const BASE_TIME = 1_763_686_800_000_000_000n;
const CHUNK = 1000;
const WARMUP_MS = 300;
const SETTLE_MS = 300;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

/** A realistic quote: instrument, 4-decimal prices and sizes, quality. */
function quote(i: number): wire.IPayload {
  return {
    quote: {
      instrument: { venue: 'binance', symbol: 'BTC/USDT' },
      bidPrice: { mantissa: Long.fromNumber(643_215_000 + (i & 1023)), exponent: -4 },
      bidSize: { mantissa: Long.fromNumber(12_345 + (i & 63)), exponent: -4 },
      askPrice: { mantissa: Long.fromNumber(643_216_000 + (i & 1023)), exponent: -4 },
      askSize: { mantissa: Long.fromNumber(98_765 - (i & 63)), exponent: -4 },
      quality: wire.DataQuality.DATA_QUALITY_REALTIME,
    },
  };
}

function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function send(message: unknown): void {
  process.send?.(message);
}

// ---------------------------------------------------------------- sender

async function runSender(mode: Mode, endpoint: string, seconds: number): Promise<void> {
  const end = performance.now() + seconds * 1000;
  let sent = 0;
  if (mode === 'raw' || mode === 'raw-tuned') {
    const socket = new zmq.Publisher({ sendHighWaterMark: 100_000, linger: 0, sendTimeout: mode === 'raw-tuned' ? 0 : -1 });
    socket.connect(endpoint);
    const envelope = new EnvelopeStamper({ source: SOURCE }).encodeMessage(1, quote(1), { eventTimeNs: BASE_TIME, initTimeNs: BASE_TIME });
    const frames: [Buffer, Uint8Array] = [Buffer.from(TOPIC), envelope];
    let last: Promise<void> | undefined;
    while (performance.now() < end) {
      for (let i = 0; i < CHUNK; i++) {
        try {
          last = socket.send(frames);
        } catch {
          // EBUSY: zeromq.js deferred the previous send; wait for it, then go on.
          await last;
          last = socket.send(frames);
        }
      }
      sent += CHUNK;
      await yieldTurn();
    }
    socket.close();
  } else {
    const publisher = new Publisher({
      source: SOURCE,
      sendHighWaterMark: 100_000,
      linger: 0,
      batch: mode === 'batched' ? { maxSize: 64, maxDelayMs: 1 } : undefined,
    });
    publisher.connect(endpoint);
    // Building payload objects is the adapter's work, not the bus's: cycle through a ring of them.
    const payloads = Array.from({ length: 1024 }, (_, k) => quote(k));
    let i = 0;
    while (performance.now() < end) {
      for (let k = 0; k < CHUNK; k++, i++) {
        const t = BASE_TIME + BigInt(i);
        publisher.publish(TOPIC, payloads[i & 1023] as wire.IPayload, { eventTimeNs: t, initTimeNs: t });
      }
      sent += CHUNK;
      if (publisher.stats().queued > 0) await publisher.drain();
      await yieldTurn();
    }
    await publisher.close(0);
  }
  process.send?.({ type: 'done', sent }, () => process.exit(0));
}

// ---------------------------------------------------------------- receiver

async function runReceiver(mode: Mode, endpoint: string): Promise<void> {
  let count = 0;
  let sink = 0;
  // Sample the counter on a timer instead of reading the clock per message.
  let firstAt = 0;
  let baseCount = -1;
  let baseAt = 0;
  let lastCount = 0;
  let lastAt = 0;
  let baseCpu = process.cpuUsage();
  let lastCpu = baseCpu;
  const sampler = setInterval(() => {
    const now = performance.now();
    if (count === lastCount) return;
    lastCount = count;
    lastAt = now;
    lastCpu = process.cpuUsage();
    if (firstAt === 0) firstAt = now;
    else if (baseCount < 0 && now - firstAt >= WARMUP_MS) {
      baseCount = count;
      baseAt = now;
      baseCpu = lastCpu;
    }
  }, 5);

  let stats: () => { gaps: number; missing: number; malformed: number } = () => ({ gaps: 0, missing: 0, malformed: 0 });
  let close: () => void;
  let loop: Promise<void>;
  if (mode === 'raw-tuned') {
    const socket = new zmq.Subscriber({ receiveHighWaterMark: 100_000, linger: 0 });
    await socket.bind(endpoint);
    socket.subscribe('');
    close = () => socket.close();
    loop = (async () => {
      let draining = false;
      let inARow = 0;
      let lastYield = 0;
      for (;;) {
        let frames: Buffer[];
        try {
          frames = await socket.receive();
        } catch (err) {
          if (socket.closed) return;
          if (draining && (err as { code?: string }).code === 'EAGAIN') {
            draining = false;
            socket.receiveTimeout = -1;
            continue;
          }
          throw err;
        }
        sink += frames.length;
        count++;
        if (draining) {
          // The same yield policy as the library: look at the clock every 128, yield after 4 ms.
          if (++inARow >= 128) {
            inARow = 0;
            const now = performance.now();
            if (now - lastYield >= 4) {
              lastYield = now;
              await yieldTurn();
            }
          }
        } else if (socket.readable) {
          draining = true;
          lastYield = performance.now();
          socket.receiveTimeout = 0;
        }
      }
    })();
  } else if (mode === 'raw') {
    const socket = new zmq.Subscriber({ receiveHighWaterMark: 100_000, linger: 0 });
    await socket.bind(endpoint);
    socket.subscribe('');
    close = () => socket.close();
    loop = (async () => {
      for (;;) {
        let frames: Buffer[];
        try {
          frames = await socket.receive();
        } catch {
          return;
        }
        sink += frames.length;
        count++;
      }
    })();
  } else {
    const subscriber = new Subscriber({ receiveHighWaterMark: 100_000, linger: 0 });
    await subscriber.bind(endpoint);
    subscriber.subscribe(topics.prefix.allTicks());
    close = () => subscriber.close();
    stats = () => {
      const s = subscriber.stats();
      return { gaps: s.gaps, missing: s.missing, malformed: s.malformedTotal };
    };
    loop = (async () => {
      for await (const message of subscriber as AsyncIterable<BusMessage>) {
        // A consumer that reads what it got: payload, sequence and event time.
        const q = message.payload.quote;
        if (q) sink += q.bidPrice ? 1 : 0;
        sink += message.sequence + Number(message.eventTimeNs & 1n);
        count++;
      }
    })();
  }
  send({ type: 'ready' });

  process.on('message', async (message: { type?: string }) => {
    if (message.type !== 'finish') return;
    // Let the backlog drain: done when nothing arrived for a while.
    while (performance.now() - lastAt < SETTLE_MS || lastAt === 0) await new Promise((r) => setTimeout(r, 50));
    clearInterval(sampler);
    const seconds = (lastAt - baseAt) / 1000;
    const counted = baseCount < 0 ? 0 : lastCount - baseCount;
    const cpuMicros = lastCpu.user + lastCpu.system - (baseCpu.user + baseCpu.system);
    const result: ReceiverResult = {
      type: 'result',
      perSecond: seconds > 0 ? counted / seconds : 0,
      cpuNsPerMessage: counted > 0 ? (cpuMicros * 1000) / counted : 0,
      counted,
      seconds,
      ...stats(),
    };
    close();
    await loop;
    if (sink === -1) console.log(sink);
    process.send?.(result, () => process.exit(0));
  });
}

// ---------------------------------------------------------------- orchestrator

function waitFor<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }): void => {
      if (message.type === type) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as T);
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`expected a "${type}" message from the ${type === 'done' ? 'sender' : 'receiver'}, it exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function trial(mode: Mode, transport: Transport, seconds: number): Promise<ReceiverResult> {
  const endpoint = transport === 'ipc' ? ipcEndpoint('bench') : await tcpEndpoint();
  const receiver = fork(__filename, ['--role', 'receiver', '--mode', mode, '--endpoint', endpoint]);
  await waitFor(receiver, 'ready');
  const sender = fork(__filename, ['--role', 'sender', '--mode', mode, '--endpoint', endpoint, '--seconds', String(seconds)]);
  const done = await waitFor<{ sent: number }>(sender, 'done');
  receiver.send({ type: 'finish' });
  const result = await waitFor<ReceiverResult>(receiver, 'result');
  await Promise.all([new Promise((r) => (receiver.exitCode === null ? receiver.once('exit', r) : r(0))), new Promise((r) => (sender.exitCode === null ? sender.once('exit', r) : r(0)))]);
  // libzmq leaves ipc socket files behind (the raw receiver binds without the library).
  removeIpcFile(endpoint);
  console.log(
    `  ${mode.padEnd(9)} ${fmt(result.perSecond)} msgs/s received, receiver CPU ${fmt(result.cpuNsPerMessage)} ns/msg  (sent ${fmt(done.sent / seconds)}/s, counted ${result.counted} in ${result.seconds.toFixed(2)} s, gaps ${result.gaps}, missing ${result.missing}, malformed ${result.malformed})`,
  );
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US').padStart(10);
}

/** In-process rates of the envelope work alone, without sockets. */
function codecRates(): { encodePerSec: number; decodePerSec: number; readPerSec: number; envelopeBytes: number } {
  const n = 200_000;
  const stamper = new EnvelopeStamper({ source: SOURCE });
  const payloads = Array.from({ length: 1024 }, (_, i) => quote(i));
  const encoded: Uint8Array[] = new Array(n);
  const run = (fn: () => void): number => {
    fn(); // warm-up
    const start = performance.now();
    fn();
    return n / ((performance.now() - start) / 1000);
  };
  const encodePerSec = run(() => {
    for (let i = 0; i < n; i++) {
      const t = BASE_TIME + BigInt(i);
      encoded[i] = stamper.encodeMessage(i + 1, payloads[i & 1023] as wire.IPayload, { eventTimeNs: t, initTimeNs: t });
    }
  });
  const decodePerSec = run(() => {
    for (let i = 0; i < n; i++) decodeEnvelope(encoded[i] as Uint8Array);
  });
  const topicFrame = Buffer.from(TOPIC);
  const frames = encoded.map((bytes) => [topicFrame, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  let reader = new EnvelopeReader({}, false);
  const out: BusMessage[] = [];
  const readPerSec = run(() => {
    reader = new EnvelopeReader({}, false);
    for (let i = 0; i < n; i++) {
      out.length = 0;
      reader.read(frames[i] as Buffer[], out);
    }
  });
  return { encodePerSec, decodePerSec, readPerSec, envelopeBytes: (encoded[0] as Uint8Array).length };
}

async function main(): Promise<void> {
  const transport = arg('transport', 'ipc') as Transport;
  if (transport !== 'ipc' && transport !== 'tcp') throw new Error(`--transport: expected ipc or tcp, was ${transport}`);
  const seconds = Number(arg('seconds', '3'));
  const rounds = Number(arg('rounds', '3'));
  const modes: Mode[] = ['raw', 'ttquant'];
  if (!process.argv.includes('--no-batched')) modes.push('batched');
  if (!process.argv.includes('--no-raw-tuned')) modes.push('raw-tuned');

  const codec = codecRates();
  console.log(`bus bench: ${transport}, ${rounds} rounds × ${seconds} s per mode, envelope ${codec.envelopeBytes} bytes`);
  console.log(
    `  in-process: encode ${fmt(codec.encodePerSec)}/s, decode+validate ${fmt(codec.decodePerSec)}/s, reader (decode+check+message) ${fmt(codec.readPerSec)}/s`,
  );
  const results: Record<Mode, number[]> = { raw: [], 'raw-tuned': [], ttquant: [], batched: [] };
  for (let round = 1; round <= rounds; round++) {
    console.log(`round ${round}`);
    for (const mode of modes) results[mode].push((await trial(mode, transport, seconds)).perSecond);
  }
  const raw = median(results.raw);
  const ttquant = median(results.ttquant);
  const summary: Record<string, unknown> = {
    bench: 'bus',
    rawMsgsPerSec: Math.round(raw),
    ttquantMsgsPerSec: Math.round(ttquant),
    ratio: Number((ttquant / raw).toFixed(3)),
  };
  if (results.batched.length > 0) summary['batchedMsgsPerSec'] = Math.round(median(results.batched));
  if (results['raw-tuned'].length > 0) {
    const tuned = median(results['raw-tuned']);
    summary['rawTunedMsgsPerSec'] = Math.round(tuned);
    summary['ratioToRawTuned'] = Number((ttquant / tuned).toFixed(3));
  }
  Object.assign(summary, {
    encodePerSec: Math.round(codec.encodePerSec),
    decodePerSec: Math.round(codec.decodePerSec),
    readPerSec: Math.round(codec.readPerSec),
    envelopeBytes: codec.envelopeBytes,
    transport,
    rounds,
    seconds,
  });
  console.log(`median: raw ${fmt(raw)}/s, ttquant ${fmt(ttquant)}/s, ratio ${(ttquant / raw).toFixed(3)}`);
  console.log(JSON.stringify(summary));
}

const role = arg('role', 'main');
const run =
  role === 'sender'
    ? runSender(arg('mode', 'raw') as Mode, arg('endpoint', ''), Number(arg('seconds', '3')))
    : role === 'receiver'
      ? runReceiver(arg('mode', 'raw') as Mode, arg('endpoint', ''))
      : main();
run.catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
