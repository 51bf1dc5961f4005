import type * as zmq from 'zeromq';
import { BusBackpressureError } from './errors';
import { isBusy } from './socket-options';

/** A multipart message as it goes to zeromq. */
export type Frames = [Buffer, Uint8Array];

const noop = (): void => undefined;

/**
 * Hands messages to a zeromq socket without awaiting each send.
 *
 * zeromq.js completes a send synchronously while it can, but after a run of
 * synchronous operations (or at a blocking high-water mark) a send stays
 * pending, and any further send throws EBUSY until it completes. Messages
 * that meet a pending send wait here, in order, and are pushed on when it
 * completes. Nothing is dropped here: past `limit` queued messages `push`
 * throws before the caller stamps anything.
 */
export class SendQueue {
  private readonly queue: Frames[] = [];
  private head = 0;
  private last: Promise<void> | undefined;
  private draining: Promise<void> | undefined;
  private waiters: Array<() => void> = [];
  private failure: unknown;
  /** Messages accepted by zeromq. */
  sent = 0;

  constructor(
    private readonly socket: zmq.Writable<Frames> & { readonly closed: boolean },
    private readonly name: string,
    /** Hard bound of the local queue. */
    readonly limit: number,
  ) {}

  /** Messages waiting here for zeromq. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Throws {@link BusBackpressureError} when a further message would exceed the bound; call before stamping. */
  ensureRoom(): void {
    if (this.queue.length - this.head >= this.limit) throw new BusBackpressureError(this.name, this.limit);
  }

  /** Sends now if zeromq takes it, else queues it behind the pending send. */
  push(frames: Frames): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.queue.length === this.head) {
      try {
        this.last = this.socket.send(frames);
        this.sent++;
        return;
      } catch (err) {
        if (!isBusy(err)) throw err;
      }
    }
    this.queue.push(frames);
    if (this.draining === undefined) this.draining = this.drain();
  }

  /** Resolves once every queued message has been handed to zeromq (or the socket failed). */
  drained(): Promise<void> {
    // After a failure nothing drains the queue any more: waiting would never end.
    if ((this.length === 0 && this.draining === undefined) || this.failure !== undefined || this.socket.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Messages still queued, dropped from the queue: called when closing gives up on them. */
  abandon(): number {
    const left = this.length;
    this.queue.length = 0;
    this.head = 0;
    // A send still pending at close rejects (EAGAIN); nobody awaits it any more.
    this.last?.catch(noop);
    return left;
  }

  private async drain(): Promise<void> {
    try {
      while (this.head < this.queue.length && !this.socket.closed) {
        const frames = this.queue[this.head] as Frames;
        try {
          this.last = this.socket.send(frames);
        } catch (err) {
          if (!isBusy(err)) throw err;
          await this.last;
          continue;
        }
        this.queue[this.head] = undefined as unknown as Frames;
        this.head++;
        this.sent++;
        // Compact now and then instead of shifting per message.
        if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
      }
    } catch (err) {
      if (!this.socket.closed) this.failure = err;
    } finally {
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
      this.draining = undefined;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }
}
