import type * as zmq from 'zeromq';
import type { BusMessage } from './bus-message';
import { BusSocket, type BusSocketOptions } from './bus-socket';
import { EnvelopeReader, type ReceiveOptions, type ReceiveStats } from './envelope-reader';
import type { SocketMetricsSnapshot } from './metrics';

/** Options of a socket that receives envelopes. */
export interface ReceivingSocketOptions extends BusSocketOptions, ReceiveOptions {}

/** What a message handler may return: nothing, or a promise to wait for before the next message. */
export type HandlerResult = void | Promise<void>;

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** While draining a backlog, how often (in receives) the loop looks at the clock. */
const CLOCK_EVERY = 128;
/** …and how long it may keep the event loop to itself before yielding (timers, I/O). */
const YIELD_AFTER_MS = 4;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isAgain(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EAGAIN';
}

/**
 * The receive loop shared by {@link Subscriber} and {@link Puller}: an async
 * iterator and a callback consumer over checked messages.
 *
 * The iterator is a plain object, not an async generator: one zeromq receive
 * yields one frame (or a whole batch), decoded into a reused array that
 * following `next()` calls serve without touching the socket.
 *
 * While a backlog lasts the socket runs with a zero receive timeout: each
 * receive then skips zeromq.js's readiness poll and resolves at once, the
 * first empty read (EAGAIN) switches back to waiting, and the loop yields to
 * the event loop every few milliseconds so timers and I/O keep running.
 * An idle socket waits exactly as usual.
 */
export abstract class ReceivingSocket<S extends zmq.Socket & zmq.Readable> extends BusSocket<S> implements AsyncIterable<BusMessage> {
  protected readonly reader: EnvelopeReader;
  private readonly ready: BusMessage[] = [];
  private index = 0;
  private draining = false;
  private inARow = 0;
  private lastYield = 0;

  protected constructor(socket: S, name: string, options: ReceivingSocketOptions) {
    super(socket, name, options.registry);
    this.reader = new EnvelopeReader(options, options.registry !== undefined);
  }

  /**
   * Iterates over valid messages until the socket is closed. Only one
   * consumer (iterator or {@link consume}) may read at a time.
   */
  [Symbol.asyncIterator](): AsyncIterator<BusMessage> {
    return {
      next: () => this.next(),
      // Leaving a for-await loop keeps the socket open: close() is explicit.
      return: () => Promise.resolve(DONE),
    };
  }

  /** The next valid message, or done once closed. */
  next(): Promise<IteratorResult<BusMessage, undefined>> {
    if (this.index < this.ready.length && !this.isClosed) {
      return Promise.resolve({ done: false, value: this.ready[this.index++] as BusMessage });
    }
    return this.fill();
  }

  /**
   * Calls `handler` for every valid message until the socket is closed; a
   * returned promise is awaited before the next message. Resolves when
   * closed; rejects if the handler throws.
   */
  async consume(handler: (message: BusMessage) => HandlerResult): Promise<void> {
    const ready = this.ready;
    const socket = this.socket;
    for (;;) {
      while (this.index < ready.length) {
        const result = handler(ready[this.index++] as BusMessage);
        if (result !== undefined) await result;
      }
      if (this.isClosed) return;
      ready.length = 0;
      this.index = 0;
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (err) {
        if (this.isClosed || socket.closed) return;
        if (this.draining && isAgain(err)) {
          this.stopDraining();
          continue;
        }
        throw err;
      }
      this.reader.read(frames, ready);
      if (this.draining) {
        if (++this.inARow >= CLOCK_EVERY && this.mayYield()) await nextTurn();
      } else if (!this.isClosed && socket.readable) {
        this.startDraining();
      }
    }
  }

  /** Receive-side counters since construction. */
  stats(): ReceiveStats {
    return this.reader.stats();
  }

  /** @inheritdoc */
  metricsSnapshot(): SocketMetricsSnapshot {
    return this.reader.metricsSnapshot();
  }

  /** Closes the socket; a pending iteration or {@link consume} ends cleanly. */
  close(): void {
    this.closeSocket();
  }

  private async fill(): Promise<IteratorResult<BusMessage, undefined>> {
    const ready = this.ready;
    const socket = this.socket;
    ready.length = 0;
    this.index = 0;
    for (;;) {
      if (this.isClosed) return DONE;
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (err) {
        if (this.isClosed || socket.closed) return DONE;
        if (this.draining && isAgain(err)) {
          this.stopDraining();
          continue;
        }
        throw err;
      }
      const got = this.reader.read(frames, ready);
      if (this.draining) {
        if (++this.inARow >= CLOCK_EVERY && this.mayYield()) {
          await nextTurn();
          if (this.isClosed) return DONE;
        }
      } else if (!this.isClosed && socket.readable) {
        this.startDraining();
      }
      if (got > 0) {
        this.index = 1;
        return { done: false, value: ready[0] as BusMessage };
      }
    }
  }

  /** True when the loop has held the event loop for long enough; restarts the count. */
  private mayYield(): boolean {
    this.inARow = 0;
    const now = performance.now();
    if (now - this.lastYield < YIELD_AFTER_MS) return false;
    this.lastYield = now;
    return true;
  }

  private startDraining(): void {
    this.draining = true;
    this.inARow = 0;
    this.lastYield = performance.now();
    this.socket.receiveTimeout = 0;
  }

  private stopDraining(): void {
    this.draining = false;
    this.socket.receiveTimeout = -1;
  }
}
