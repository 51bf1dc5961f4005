import { ProtocolError, wire } from '@ttquant/protocol';
import * as zmq from 'zeromq';
import { BusClosedError, BusRemoteError, BusTimeoutError } from './errors';
import { BoundEndpoints } from './bound-endpoints';
import { zmqSocketOptions, type SocketOptions } from './socket-options';

/*
 * Request frames: [method, body]. Reply frames: [status, body] where status
 * is "ok" (body: the handler's bytes) or "error" (body: UTF-8 error text).
 */
const OK = 'ok';
const ERROR = 'error';

/** The method name of journal replay requests (`wire.ReplayRequest` → `wire.ReplayResponse`). */
export const REPLAY_METHOD = 'replay';

/** Options of a {@link Requester}. */
export interface RequesterOptions extends SocketOptions {
  readonly name?: string;
  /** Default time to wait for a reply. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/** Counters of a {@link Requester}. */
export interface RequesterStats {
  readonly requests: number;
  readonly replies: number;
  readonly timeouts: number;
  readonly remoteErrors: number;
}

/**
 * REQ side of a request/reply pair (journal replay, control). One request at
 * a time; concurrent calls queue. A REQ socket that timed out is stuck
 * waiting for its reply, so it is closed and recreated (and reconnected)
 * before the next request.
 *
 * @example
 * const req = new Requester({ timeoutMs: 2000 });
 * req.connect(gatewayReplayEndpoint);
 * const res = await req.replay({ topic, epoch, fromSequence: 4, toSequence: 6 });
 */
export class Requester {
  readonly name: string;
  private socket: zmq.Request;
  private readonly endpoints: string[] = [];
  private readonly defaultTimeoutMs: number;
  private tail: Promise<unknown> = Promise.resolve();
  private isClosed = false;
  private counts = { requests: 0, replies: 0, timeouts: 0, remoteErrors: 0 };

  constructor(private readonly options: RequesterOptions = {}) {
    this.name = options.name ?? 'requester';
    this.defaultTimeoutMs = options.timeoutMs ?? 5000;
    this.socket = this.createSocket();
  }

  /** Connects to a replier; remembered so a recreated socket reconnects. */
  connect(endpoint: string): void {
    this.endpoints.push(endpoint);
    this.socket.connect(endpoint);
  }

  /**
   * Sends `body` to `method` and resolves with the reply's bytes. Rejects with
   * {@link BusTimeoutError} after `timeoutMs`, {@link BusRemoteError} when the
   * handler failed, {@link BusClosedError} when closed.
   */
  request(method: string, body: Uint8Array, timeoutMs = this.defaultTimeoutMs): Promise<Buffer> {
    const result = this.tail.then(() => this.exchange(method, body, timeoutMs));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Asks a journal for the envelopes of one stream; see `wire.ReplayRequest`. */
  async replay(request: wire.IReplayRequest, timeoutMs?: number): Promise<wire.ReplayResponse> {
    const reply = await this.request(REPLAY_METHOD, wire.ReplayRequest.encode(request).finish(), timeoutMs);
    try {
      return wire.ReplayResponse.decode(reply);
    } catch (err) {
      throw new ProtocolError('replayResponse', 'a protobuf-encoded ReplayResponse', `${reply.length} bytes (${String(err)})`);
    }
  }

  /** Counters since construction. */
  stats(): RequesterStats {
    return { ...this.counts };
  }

  /** Closes the socket; a request in flight rejects with {@link BusClosedError}. */
  close(): void {
    this.isClosed = true;
    this.socket.close();
  }

  private createSocket(): zmq.Request {
    const socket = new zmq.Request({ ...zmqSocketOptions(this.options, 'both'), linger: 0 });
    for (const endpoint of this.endpoints) socket.connect(endpoint);
    return socket;
  }

  private async exchange(method: string, body: Uint8Array, timeoutMs: number): Promise<Buffer> {
    if (this.isClosed) throw new BusClosedError(this.name);
    const socket = this.socket;
    this.counts.requests++;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const exchange = (async () => {
      await socket.send([method, body]);
      return socket.receive();
    })();
    let outcome: Buffer[] | 'timeout';
    try {
      outcome = await Promise.race([exchange, timedOut]);
    } catch (err) {
      if (this.isClosed) throw new BusClosedError(this.name);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    if (outcome === 'timeout') {
      this.counts.timeouts++;
      // The abandoned exchange rejects when its socket closes; nobody waits for it.
      exchange.catch(() => undefined);
      socket.close();
      if (this.isClosed) throw new BusClosedError(this.name);
      this.socket = this.createSocket();
      throw new BusTimeoutError(method, timeoutMs);
    }
    const [status, reply] = outcome;
    if (outcome.length !== 2 || status === undefined || reply === undefined) {
      throw new ProtocolError('reply', '2 frames (status, body)', `${outcome.length} frames`);
    }
    const statusText = status.toString('utf8');
    if (statusText === ERROR) {
      this.counts.remoteErrors++;
      throw new BusRemoteError(method, reply.toString('utf8'));
    }
    if (statusText !== OK) throw new ProtocolError('reply.status', `"${OK}" or "${ERROR}"`, JSON.stringify(statusText));
    this.counts.replies++;
    return reply;
  }
}

/** Handles one request: returns the reply body; a thrown error becomes an error reply. */
export type RequestHandler = (body: Buffer, method: string) => Uint8Array | Promise<Uint8Array>;

/** Options of a {@link Replier}. */
export interface ReplierOptions extends SocketOptions {
  readonly name?: string;
}

/** Counters of a {@link Replier}. */
export interface ReplierStats {
  readonly requests: number;
  readonly errors: number;
  readonly malformed: number;
}

/**
 * REP side of a request/reply pair: serves one request at a time with a
 * handler per method. Handler errors, unknown methods and malformed requests
 * become error replies; the loop never dies of them.
 *
 * @example
 * const rep = new Replier();
 * await rep.bind('tcp://127.0.0.1:5560');
 * void rep.serve({ [REPLAY_METHOD]: replayHandler((req) => journal.read(req)) });
 */
export class Replier {
  readonly name: string;
  private readonly socket: zmq.Reply;
  private readonly bound = new BoundEndpoints();
  private counts = { requests: 0, errors: 0, malformed: 0 };

  constructor(options: ReplierOptions = {}) {
    this.name = options.name ?? 'replier';
    this.socket = new zmq.Reply(zmqSocketOptions(options, 'both'));
  }

  /** Binds and returns the endpoint bound (`tcp://127.0.0.1:*` picks a port). */
  async bind(endpoint: string): Promise<string> {
    return this.bound.bind(this.socket, endpoint);
  }

  /** Connects to an endpoint. */
  connect(endpoint: string): void {
    this.socket.connect(endpoint);
  }

  /**
   * Answers requests until closed. Pass one handler per method, or one
   * handler for every method. Resolves when the socket is closed.
   */
  async serve(handlers: Readonly<Record<string, RequestHandler>> | RequestHandler): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await this.socket.receive();
      } catch (err) {
        if (this.socket.closed) return;
        throw err;
      }
      const reply = await this.answer(handlers, frames);
      try {
        await this.socket.send(reply);
      } catch (err) {
        if (this.socket.closed) return;
        throw err;
      }
    }
  }

  /** Counters since construction. */
  stats(): ReplierStats {
    return { ...this.counts };
  }

  /** Closes the socket (and removes its ipc files); {@link serve} resolves. */
  close(): void {
    if (!this.socket.closed) this.socket.close();
    this.bound.removeIpcFiles();
  }

  private async answer(handlers: Readonly<Record<string, RequestHandler>> | RequestHandler, frames: Buffer[]): Promise<[string, Uint8Array | string]> {
    this.counts.requests++;
    const [methodFrame, body] = frames;
    if (frames.length !== 2 || methodFrame === undefined || body === undefined) {
      this.counts.malformed++;
      return [ERROR, `expected 2 frames (method, body), was ${frames.length}`];
    }
    const method = methodFrame.toString('utf8');
    const handler =
      typeof handlers === 'function' ? handlers : Object.prototype.hasOwnProperty.call(handlers, method) ? handlers[method] : undefined;
    if (handler === undefined) {
      this.counts.malformed++;
      return [ERROR, `expected a method of ${JSON.stringify(Object.keys(handlers))}, was ${JSON.stringify(method)}`];
    }
    try {
      return [OK, await handler(body, method)];
    } catch (err) {
      this.counts.errors++;
      return [ERROR, err instanceof Error ? `${err.name}: ${err.message}` : String(err)];
    }
  }
}

/** Adapts a typed replay function to a {@link RequestHandler} for {@link REPLAY_METHOD}. */
export function replayHandler(
  replay: (request: wire.ReplayRequest) => wire.IReplayResponse | Promise<wire.IReplayResponse>,
): RequestHandler {
  return async (body) => {
    let request: wire.ReplayRequest;
    try {
      request = wire.ReplayRequest.decode(body);
    } catch (err) {
      throw new ProtocolError('replayRequest', 'a protobuf-encoded ReplayRequest', `${body.length} bytes (${String(err)})`);
    }
    return wire.ReplayResponse.encode(await replay(request)).finish();
  };
}
