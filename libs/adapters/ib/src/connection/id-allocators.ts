/** An id space ran out or was configured to overlap. */
export class IbIdError extends Error {
  override readonly name = 'IbIdError';
}

const INT32_MAX = 2_147_483_647;

/**
 * Request ids for market data, contract details, executions and bars: counted
 * up from a base far above any order id, so an error that names an id is never
 * ambiguous (an order and a subscription never share one).
 */
export class RequestIdAllocator {
  private nextId: number;

  constructor(private readonly base: number) {
    this.nextId = base;
  }

  /** A fresh request id. */
  next(): number {
    if (this.nextId >= INT32_MAX) this.nextId = this.base;
    return this.nextId++;
  }

  /** True for ids this allocator hands out. */
  owns(id: number): boolean {
    return id >= this.base;
  }
}

/**
 * The one place order ids come from. TWS sends `nextValidId` on every
 * connection; ids are taken from it synchronously, so two orders can never get
 * the same id (unlike asking TWS with reqIds for each order), and an id is
 * never reused after a reconnect because the floor only moves up.
 */
export class OrderIdAllocator {
  private nextId = 0;

  constructor(private readonly ceiling: number) {}

  /** Takes TWS's nextValidId into account: ids continue from the larger of it and what was already used. */
  seed(nextValidId: number): void {
    if (nextValidId >= this.ceiling) {
      throw new IbIdError(`expected nextValidId below the request id range (${this.ceiling}), was ${nextValidId}`);
    }
    this.nextId = Math.max(this.nextId, nextValidId);
  }

  /**
   * A fresh order id.
   * @throws IbIdError before the first nextValidId, or when ids would run into request ids.
   */
  next(): number {
    if (this.nextId <= 0) throw new IbIdError('expected nextValidId from TWS before allocating an order id, none received yet');
    if (this.nextId >= this.ceiling) throw new IbIdError(`expected order ids below ${this.ceiling}, the next would be ${this.nextId}`);
    return this.nextId++;
  }
}
