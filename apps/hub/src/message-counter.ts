import type { Counter } from 'prom-client';
import * as zmq from 'zeromq';

/**
 * Counts what the hub forwards, by topic family (`md.tick`, `ex.order`…),
 * through one plain subscriber on the hub's own XPUB side. libzmq's proxy
 * runs in its own thread and cannot count, so this watches from outside;
 * envelopes are not decoded, only the topic frame is read.
 */
export class MessageCounter {
  private readonly socket = new zmq.Subscriber({ receiveHighWaterMark: 0 });
  private running: Promise<void> | undefined;
  total = 0;

  constructor(private readonly counter: Counter<'family'>) {}

  start(backend: string): void {
    this.socket.connect(backend);
    this.socket.subscribe();
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    const families = new Map<string, ReturnType<Counter<'family'>['labels']>>();
    try {
      for await (const [topic] of this.socket) {
        this.total++;
        const text = topic?.toString('latin1') ?? '';
        const second = text.indexOf('.', text.indexOf('.') + 1);
        const family = second > 0 ? text.slice(0, second) : text;
        let child = families.get(family);
        if (!child) families.set(family, (child = this.counter.labels(family)));
        child.inc();
      }
    } catch (error) {
      if (!this.socket.closed) throw error;
    }
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.running;
  }
}
