/** Removes the handler it was returned for; calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * A minimal handler list for the `onData` / `onReport` / `onStatus` streams of
 * the clients. Emitting is a plain loop over an array: no promise, closure or
 * event object per message, which matters on the tick path.
 *
 * A handler that throws does not starve the others: every handler runs, then
 * the first error is rethrown so the bug still surfaces to the emitter.
 *
 * @example
 * private readonly data = new Listeners<MarketData>();
 * onData(handler: (data: MarketData) => void): Unsubscribe { return this.data.add(handler); }
 * // on each tick: this.data.emit(quote);
 */
export class Listeners<T> {
  private handlers: ((value: T) => void)[] = [];

  /** Registers `handler`; returns the function that removes it. */
  add(handler: (value: T) => void): Unsubscribe {
    // Copy on write so a handler may unsubscribe while an emit loop is running.
    this.handlers = [...this.handlers, handler];
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }

  /** Number of registered handlers. */
  get size(): number {
    return this.handlers.length;
  }

  /** Calls every handler with `value`, in registration order. */
  emit(value: T): void {
    const handlers = this.handlers;
    if (handlers.length === 1) {
      handlers[0](value);
      return;
    }
    let failure: { error: unknown } | undefined;
    for (const handler of handlers) {
      try {
        handler(value);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  /** Removes every handler (on dispose). */
  clear(): void {
    this.handlers = [];
  }
}
