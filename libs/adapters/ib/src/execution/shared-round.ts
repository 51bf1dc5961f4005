import type { IBApi } from '@stoqey/ib';
import type { IbConnection } from '../connection/ib-connection';

/** What a {@link SharedRound} asks and how it answers. */
export interface SharedRoundSpec<S, T> {
  /** Names the request in errors (`open orders`, `positions`). */
  readonly description: string;
  /** The state one round collects into, made when the request goes out. */
  start(): S;
  /** Sends the request. */
  send(api: IBApi): void;
  /** The answer, once the end message came. */
  finish(state: S): T;
}

/**
 * A query TWS answers to the whole client with no request id, ending with an
 * end message (reqAllOpenOrders → openOrderEnd, reqPositions → positionEnd):
 * callers while one is running share it instead of sending another, whose
 * messages could not be told apart. A dropped link or the request timeout
 * rejects it.
 */
export class SharedRound<S, T> {
  private current: { readonly state: S; readonly promise: Promise<T>; readonly end: () => void } | undefined;

  constructor(
    private readonly connection: IbConnection,
    private readonly spec: SharedRoundSpec<S, T>,
  ) {}

  /** The state of the round running, if one is. */
  get state(): S | undefined {
    return this.current?.state;
  }

  /** Joins the running round, or starts one. */
  run(): Promise<T> {
    if (this.current) return this.current.promise;
    const slot = this.connection.openRequest<void>(this.spec.description);
    const state = this.spec.start();
    const round = { state, promise: slot.promise.then(() => this.spec.finish(state)), end: () => slot.resolve() };
    this.current = round;
    const clear = (): void => {
      if (this.current === round) this.current = undefined;
    };
    round.promise.then(clear, clear);
    try {
      this.connection.send(`request ${this.spec.description}`, (api) => this.spec.send(api));
    } catch (error) {
      slot.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return round.promise;
  }

  /** The end message arrived: the running round answers. */
  end(): void {
    this.current?.end();
  }
}
