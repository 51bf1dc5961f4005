/**
 * Keeps every event a client emitted and lets a test wait for a condition,
 * re-checked on each new event (and on a slow poll for time-based checks),
 * never sleeping a fixed time.
 */
export class EventLog<T> {
  readonly events: T[] = [];
  private waiters: { check: () => void }[] = [];

  /** The handler to register with the client. */
  readonly push = (event: T): void => {
    this.events.push(event);
    for (const waiter of [...this.waiters]) waiter.check();
  };

  /** Events matching `predicate`. */
  filter<S extends T>(predicate: (event: T) => event is S): S[];
  filter(predicate: (event: T) => boolean): T[];
  filter(predicate: (event: T) => boolean): T[] {
    return this.events.filter(predicate);
  }

  /** Resolves once `condition` holds; rejects after `timeoutMs` naming `description`. */
  waitFor(condition: () => boolean, description: string, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => waiter.check(), 50);
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description} (${this.events.length} events seen)`));
      }, timeoutMs);
      const done = (): void => {
        clearInterval(poll);
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      const waiter = {
        check: () => {
          if (!condition()) return;
          done();
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Number of events so far (a mark to compare against later). */
  get size(): number {
    return this.events.length;
  }
}
