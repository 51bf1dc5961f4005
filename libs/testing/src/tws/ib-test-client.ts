import { ErrorCode, EventName, IBApi } from '@stoqey/ib';

/** An error or notice the pinned client reported. */
export interface IbReportedError {
  code: number;
  reqId: number;
  message: string;
}

/** The client's own decode failure code ("Underrun", "unprocessed data left on queue"): the pinned library's 505. */
export const IB_DECODE_ERROR: number = ErrorCode.UNKNOWN_ID;

/**
 * A real pinned @stoqey/ib client connected to a fake TWS, recording every error and notice so a test can
 * wait for them and fail on any decode error (505).
 */
export interface IbTestClient {
  readonly api: IBApi;
  readonly errors: IbReportedError[];
  readonly infos: IbReportedError[];
  /** Listens to any client event with the listener's own argument types (IBApi's overloads are per event). */
  on(event: EventName, listener: (...args: never[]) => void): void;
  /** Resolves with the arguments of the next event for which the predicate holds. */
  next<T extends unknown[]>(event: EventName, predicate?: (...args: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Resolves once the predicate over everything recorded holds. */
  until(what: string, predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Throws if the client ever reported a decode error. */
  assertNoDecodeErrors(): void;
  disconnect(): void;
}

/** Options for {@link connectIbClient}. */
export interface IbTestClientOptions {
  /** The client's own message throttle; default 40/s like the library. */
  maxReqPerSec?: number;
  /** Wait for nextValidId before resolving; default true. */
  waitReady?: boolean;
}

/**
 * Connects a pinned IBApi to host:port with a fixed client id and waits until the API is started.
 *
 * @example
 * const client = await connectIbClient(tws, 7);
 * afterEach(() => client.assertNoDecodeErrors());
 */
export async function connectIbClient(target: { host: string; port: number }, clientId: number, options: IbTestClientOptions = {}): Promise<IbTestClient> {
  const api = new IBApi({ host: target.host, port: target.port, clientId, maxReqPerSec: options.maxReqPerSec ?? 40 });
  const errors: IbReportedError[] = [];
  const infos: IbReportedError[] = [];
  const listeners = new Set<() => void>();
  // IBApi's typed overloads take one event name literal at a time; a generic waiter needs the plain emitter.
  const emitter = api as unknown as NodeJS.EventEmitter;
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  api.on(EventName.error, (error: Error, code: number, reqId: number) => {
    errors.push({ code, reqId, message: error.message });
    notify();
  });
  api.on(EventName.info, (message: string, code: number) => {
    infos.push({ code, reqId: -1, message });
    notify();
  });
  const client: IbTestClient = {
    api,
    errors,
    infos,
    on(event: EventName, listener: (...args: never[]) => void): void {
      emitter.on(event, listener as (...args: unknown[]) => void);
    },
    next<T extends unknown[]>(event: EventName, predicate?: (...args: T) => boolean, timeoutMs = 5000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const handler = (...args: unknown[]): void => {
          if (predicate && !predicate(...(args as T))) return;
          clearTimeout(timer);
          emitter.off(event, handler);
          resolve(args as T);
        };
        const timer = setTimeout(() => {
          emitter.off(event, handler);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}; errors so far: ${JSON.stringify(errors)}`));
        }, timeoutMs);
        emitter.on(event, handler);
      });
    },
    until(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
      if (predicate()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          clearTimeout(timer);
          clearInterval(poll);
          listeners.delete(check);
          resolve();
        };
        // Errors notify at once; other state (event counters kept by the test) is polled.
        const poll = setInterval(check, 5);
        const timer = setTimeout(() => {
          clearInterval(poll);
          listeners.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; errors so far: ${JSON.stringify(errors)}`));
        }, timeoutMs);
        listeners.add(check);
      });
    },
    assertNoDecodeErrors(): void {
      const decodeErrors = errors.filter((e) => e.code === IB_DECODE_ERROR);
      if (decodeErrors.length > 0) throw new Error(`the pinned client reported decode errors (505): ${decodeErrors.map((e) => e.message).join(' | ')}`);
    },
    disconnect(): void {
      api.disconnect();
    },
  };
  const ready = options.waitReady === false ? undefined : client.next(EventName.nextValidId);
  api.connect();
  if (ready) await ready;
  return client;
}
