import type { OrderEvent } from '@ttquant/domain';

/** Where an {@link OrderUpserter} sends its work, and how often. */
export interface OrderUpserterOptions {
  /** Resolves once every order event handed to its writer so far is stored (the writer's `flush`). */
  readonly eventsStored: () => Promise<void>;
  /** Brings the current-orders table up to date (`upsertOrders(pool, events)`). */
  readonly upsert: (events: readonly OrderEvent[]) => Promise<number>;
  /** How often pending orders are written. */
  readonly intervalMs: number;
  /** Orders waiting before `add` makes its caller wait for a write (default 10 000). */
  readonly maxPending?: number;
  /** Told about a failed write; the orders stay pending and are tried again next time. */
  readonly onError?: (error: unknown, orders: number) => void;
  /**
   * True when the database refused the data itself (it would refuse it again):
   * such a batch is split until the refused events are alone, and those are
   * parked instead of blocking every later order update. Default: nothing is
   * refused for its data (every failure is retried).
   */
  readonly refusedForData?: (error: unknown) => boolean;
  /** Keeps refused events (`ttq_parked_rows`, with an alert). Must not throw. */
  readonly park?: (events: readonly OrderEvent[], error: unknown) => Promise<void>;
}

/** Counters of an {@link OrderUpserter}. */
export interface OrderUpserterStats {
  /** Rows of the current-orders table inserted or changed. */
  readonly upserted: number;
  /** Writes that failed (and were tried again). */
  readonly failures: number;
  /** Orders waiting to be written. */
  readonly pending: number;
  /** Order events the database refused, parked. */
  readonly parked: number;
}

/**
 * Keeps the current-orders table up to date in batches: each order's newest
 * event is kept (by event sequence) and written every interval, always after
 * the order events themselves are stored, so `orders` never shows a state
 * that `order_events` does not have. One write runs at a time; a failed write
 * keeps its orders for the next one.
 */
export class OrderUpserter {
  private pending = new Map<string, OrderEvent>();
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private upserted = 0;
  private failures = 0;
  private parked = 0;
  private readonly maxPending: number;

  constructor(private readonly options: OrderUpserterOptions) {
    this.maxPending = options.maxPending ?? 10_000;
  }

  /** Starts the periodic writes. */
  start(): void {
    // A tick while a write is still running (a slow or absent database) is skipped, not queued.
    this.timer ??= setInterval(() => {
      if (this.running === undefined) void this.flush();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Counters so far. */
  get stats(): OrderUpserterStats {
    return { upserted: this.upserted, failures: this.failures, pending: this.pending.size, parked: this.parked };
  }

  /**
   * Notes an order's event. Returns a promise only when too many orders are
   * waiting: the caller then waits for a write, which bounds memory.
   */
  add(event: OrderEvent): void | Promise<void> {
    keepNewest(this.pending, event);
    if (this.pending.size >= this.maxPending) return this.flush();
    return undefined;
  }

  /** Writes what is pending now (after any write already running); resolves when done, even if it failed. */
  flush(): Promise<void> {
    const previous = this.running ?? Promise.resolve();
    const next = previous.then(() => this.writePending());
    this.running = next;
    void next.finally(() => {
      if (this.running === next) this.running = undefined;
    });
    return next;
  }

  /** Stops the timer and writes everything pending. Resolves false when the last write failed. */
  async close(): Promise<boolean> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    return this.pending.size === 0;
  }

  private async writePending(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.options.eventsStored();
      await this.writeOrIsolate([...batch.values()]);
    } catch (error) {
      this.failures++;
      // Newer events may have arrived meanwhile: they win over the ones given back.
      for (const event of batch.values()) keepNewest(this.pending, event);
      this.options.onError?.(error, batch.size);
    }
  }

  /**
   * Writes events; when the database refuses their data, halves the batch
   * until the refused ones are alone and parks them, so one bad event cannot
   * hold back every later update. Other failures propagate (retried later;
   * what was written meanwhile is written again harmlessly, as the upsert
   * never moves an order back).
   */
  private async writeOrIsolate(events: readonly OrderEvent[]): Promise<void> {
    try {
      this.upserted += await this.options.upsert(events);
      return;
    } catch (error) {
      if (!this.options.park || !this.options.refusedForData?.(error)) throw error;
      if (events.length === 1) {
        this.parked++;
        await this.options.park(events, error);
        return;
      }
    }
    const middle = Math.floor(events.length / 2);
    await this.writeOrIsolate(events.slice(0, middle));
    await this.writeOrIsolate(events.slice(middle));
  }
}

function keepNewest(orders: Map<string, OrderEvent>, event: OrderEvent): void {
  const key = `${event.order.spec.account}\u0000${event.order.spec.clientOrderId}`;
  const held = orders.get(key);
  if (held === undefined || held.eventSequence < event.eventSequence) orders.set(key, event);
}
