import type * as zmq from 'zeromq';
import { BusBackpressureError } from './errors';
import { SendQueue, type Frames } from './send-queue';

/** A socket like zeromq.js's: one pending send at a time, EBUSY thrown for the next. */
class FakeSocket {
  closed = false;
  readonly accepted: string[] = [];
  private pending: { resolve: () => void; reject: (err: Error) => void } | undefined;
  /** Sends that complete synchronously before one stays pending. */
  syncBudget = 3;

  send(frames: Frames): Promise<void> {
    if (this.pending) throw Object.assign(new Error('busy'), { code: 'EBUSY' });
    this.accepted.push(frames[0].toString());
    if (this.syncBudget-- > 0) return Promise.resolve();
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  complete(): void {
    const pending = this.pending;
    this.pending = undefined;
    this.syncBudget = 3;
    pending?.resolve();
  }

  fail(err: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(err);
  }
}

function frames(i: number): Frames {
  return [Buffer.from(`m${i}`), new Uint8Array()];
}

function queueOn(socket: FakeSocket, limit = 100): SendQueue {
  return new SendQueue(socket as unknown as zmq.Writable<Frames> & { closed: boolean }, 'spec', limit);
}

describe('SendQueue', () => {
  it('queues behind a pending send and drains in order when it completes', async () => {
    const socket = new FakeSocket();
    const queue = queueOn(socket);
    for (let i = 1; i <= 10; i++) queue.push(frames(i));
    // m1..m3 synchronous, m4 pending, m5.. queued.
    expect(socket.accepted).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(queue.length).toBe(6);
    const drained = queue.drained();
    while (queue.length > 0) {
      socket.complete();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await drained;
    expect(socket.accepted).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
    expect(queue.sent).toBe(10);
  });

  it('refuses more than its bound before anything is stamped', () => {
    const socket = new FakeSocket();
    socket.syncBudget = 0;
    const queue = queueOn(socket, 2);
    queue.push(frames(1)); // pending in the socket
    queue.ensureRoom();
    queue.push(frames(2));
    queue.ensureRoom();
    queue.push(frames(3));
    expect(() => queue.ensureRoom()).toThrow(BusBackpressureError);
    expect(queue.abandon()).toBe(2);
    expect(queue.length).toBe(0);
  });

  it('reports a failed socket on the next push', async () => {
    const socket = new FakeSocket();
    socket.syncBudget = 0;
    const queue = queueOn(socket);
    queue.push(frames(1));
    queue.push(frames(2));
    socket.fail(new Error('socket broke'));
    await queue.drained();
    expect(() => queue.push(frames(3))).toThrow('socket broke');
  });

  it('does not leave a waiter hanging once the socket failed with messages still queued', async () => {
    const socket = new FakeSocket();
    socket.syncBudget = 0;
    const queue = queueOn(socket);
    queue.push(frames(1));
    queue.push(frames(2));
    queue.push(frames(3));
    socket.fail(new Error('socket broke'));
    await queue.drained();
    // Two messages are still queued behind the failure; a later wait must end too.
    expect(queue.length).toBeGreaterThan(0);
    await expect(Promise.race([queue.drained().then(() => 'drained'), new Promise((r) => setTimeout(() => r('hung'), 200))])).resolves.toBe('drained');
  });
});

