/**
 * Runs async tasks one at a time in arrival order, so commands and venue
 * reports for an account never interleave half-way. A failing task does not
 * stop the ones after it: its error goes to `onError`.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pendingCount = 0;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Queues a task; the returned promise settles when it has run. */
  run(task: () => Promise<void> | void): Promise<void> {
    this.pendingCount++;
    const result = this.tail.then(task).catch(this.onError).finally(() => this.pendingCount--);
    this.tail = result;
    return result;
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Resolves once every task queued so far has run. */
  drain(): Promise<void> {
    return this.tail;
  }
}
