import { ErrorCode, IBApi } from '@stoqey/ib';
import type { ConnectionState } from '@ttquant/domain';
import {
  AuthenticationError,
  DisconnectedError,
  GatewayError,
  Listeners,
  RequestTimeoutError,
  type AdapterLogger,
  type Unsubscribe,
} from '@ttquant/gateway-api';
import { maskAccount, type IbBackoffConfig } from '../config';
import { classifyIbMessage, ibError } from '../parsing/ib-errors';
import { Backoff } from './backoff';
import type { IbEventName, IbEvents } from './ib-events';
import { OrderIdAllocator, RequestIdAllocator } from './id-allocators';

/** What an {@link IbConnection} needs to know. */
export interface IbConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  /** The account to trade; empty takes the first managed account (paper only). */
  readonly account: string;
  readonly live: boolean;
  /** `reqMarketDataType` number sent on every connection (1 realtime .. 4 delayed-frozen). */
  readonly marketDataType: number;
  readonly reconnect: IbBackoffConfig;
  readonly connectTimeoutMs: number;
  readonly watchdogIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly maxRequestsPerSecond: number;
  readonly requestIdBase: number;
}

/** A change of the link to TWS. */
export interface IbLinkStatus {
  readonly state: ConnectionState;
  /** Why, in words an operator understands (`TWS closed the connection`, `IB 1100: ...`). */
  readonly reason: string;
}

/** A ready session: emitted after every successful (re)connection, before the CONNECTED status. */
export interface IbSession {
  /** 1 for the first connection, +1 per reconnection. */
  readonly number: number;
  readonly account: string;
  readonly managedAccounts: readonly string[];
  readonly nextValidId: number;
}

/** A notice TWS sent about the session (ids -1): connectivity, farms, competing sessions. */
export interface IbNotice {
  readonly code: number;
  readonly message: string;
}

/** A message TWS sent about one request or order id. */
export interface IbIdMessage {
  readonly id: number;
  readonly code: number;
  readonly message: string;
  readonly advancedOrderReject?: unknown;
}

/** The connection refuses to continue: wrong account, paper/live mix-up. The service must not start. */
export class IbSessionRefusedError extends AuthenticationError {
  override readonly name: string = 'IbSessionRefusedError';
}

/** One user's hold on an {@link IbConnection}; see {@link IbConnection.lease}. */
export interface IbConnectionLease {
  /** True once given back. */
  readonly released: boolean;
  /** Gives the connection back (once; later calls do nothing). */
  release(): Promise<void>;
}

/** A request waiting for its answer; see {@link IbConnection.openRequest}. */
export interface PendingRequest<T> {
  readonly reqId: number;
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
  /** True while neither resolved nor rejected. */
  readonly open: boolean;
}

type AnyListener = (...args: never[]) => void;
interface EmitterLike {
  on(event: string, listener: AnyListener): unknown;
  off(event: string, listener: AnyListener): unknown;
  removeAllListeners(): unknown;
}

// IB paper accounts: DU (individual) and DF (advisor/friends-and-family masters).
const PAPER_ACCOUNT = /^D[UF]/;

/** The code @stoqey/ib reports when it cannot decode a message (a field too few or too many): its ErrorCode 505. */
export const IB_DECODE_ERROR: number = ErrorCode.UNKNOWN_ID;

/**
 * One API session with TWS or IB Gateway, kept alive: reconnects with
 * exponential backoff and jitter, watches the link (a ping after a quiet
 * interval, a forced reconnect after two), reports every state change, and
 * refuses a session whose account is not the configured one. Every attempt
 * uses a fresh IBApi, so nothing queued for a dead socket (the library buffers
 * commands while disconnected) leaks into the next session.
 *
 * Clients register IBApi event listeners with {@link on} (kept across
 * reconnects), send with {@link send} (which throws `DisconnectedError` unless a
 * session is ready) and take ids from {@link nextRequestId} and
 * {@link nextOrderId}, two ranges that never overlap.
 */
export class IbConnection {
  private api: IBApi | undefined;
  private readyFlag = false;
  private stopped = true;
  private fatal: GatewayError | undefined;
  private state: ConnectionState = 'DISCONNECTED';
  private sessionNumber = 0;
  private accounts: string[] = [];
  private accountInUse = '';
  private lastNextValidId = 0;
  private connectTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private lastMessageAt = 0;
  private lastPingAt = 0;
  private startWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private users = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  private readonly requestIds: RequestIdAllocator;
  private readonly orderIds: OrderIdAllocator;
  private readonly listeners: { event: IbEventName; listener: AnyListener }[] = [];
  private readonly idHandlers = new Map<number, (error: IbIdMessage) => void>();
  private readonly pending = new Map<number, PendingRequest<unknown>>();
  private readonly statusListeners = new Listeners<IbLinkStatus>();
  private readonly sessionListeners = new Listeners<IbSession>();
  private readonly noticeListeners = new Listeners<IbNotice>();
  private readonly orderErrorListeners = new Listeners<IbIdMessage>();
  /** Messages the pinned client could not decode (error 505); a healthy session keeps this at 0. */
  decodeErrors = 0;
  /** Exceptions thrown by the adapter's own event handlers (caught so the socket keeps reading). */
  handlerErrors = 0;

  constructor(
    private readonly options: IbConnectionOptions,
    private readonly logger?: AdapterLogger,
  ) {
    this.backoff = new Backoff(options.reconnect);
    this.requestIds = new RequestIdAllocator(options.requestIdBase);
    this.orderIds = new OrderIdAllocator(options.requestIdBase);
  }

  /** Current state of the link. */
  get connectionState(): ConnectionState {
    return this.state;
  }

  /** True while a session is ready for requests. */
  get ready(): boolean {
    return this.readyFlag;
  }

  /** Number of the current (or last) ready session: 1 for the first connection, +1 per reconnection. */
  get session(): number {
    return this.sessionNumber;
  }

  /** The account this session trades (known once the first session is ready). */
  get account(): string {
    return this.accountInUse;
  }

  /** The API client id of this connection (orders belong to it). */
  get clientId(): number {
    return this.options.clientId;
  }

  /** The server version TWS claimed, 0 when not connected. */
  get serverVersion(): number {
    return this.api?.serverVersion ?? 0;
  }

  /**
   * Takes a user (a client); the first one opens the connection. Resolves when
   * a session is ready; rejects when TWS refuses the session for good (wrong
   * account, paper/live mix-up, client id in use on the first attempt).
   */
  async acquire(): Promise<void> {
    this.users += 1;
    clearTimeout(this.idleTimer);
    if (this.stopped) {
      this.stopped = false;
      this.fatal = undefined;
      this.startWatchdog();
      this.attempt();
    }
    if (this.readyFlag) return;
    try {
      if (this.fatal) throw this.fatal;
      await new Promise<void>((resolve, reject) => this.startWaiters.push({ resolve, reject }));
    } catch (error) {
      // A user whose acquire failed holds nothing: it must not keep the connection open.
      await this.release();
      throw error;
    }
  }

  /**
   * Gives a user back; the last one closes the connection, at once or after
   * `lingerMs` unless a user takes it again meanwhile (a short task such as
   * loading instruments, followed by a client connecting, reuses the session).
   */
  async release(lingerMs = 0): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0 || this.stopped) return;
    clearTimeout(this.idleTimer);
    if (lingerMs <= 0) {
      this.stop('closed by the adapter');
      return;
    }
    this.idleTimer = setTimeout(() => {
      if (this.users === 0) this.stop('closed by the adapter: no user left');
    }, lingerMs);
    this.idleTimer.unref?.();
  }

  /**
   * Takes the connection as one user (see {@link acquire}) and returns the lease
   * that gives it back; releasing a lease twice gives back one user only.
   * Every part of the adapter takes the connection this way.
   */
  async lease(lingerMs = 0): Promise<IbConnectionLease> {
    await this.acquire();
    let released = false;
    return {
      get released() {
        return released;
      },
      release: async () => {
        if (released) return;
        released = true;
        await this.release(lingerMs);
      },
    };
  }

  /** Closes the connection whatever the users, and stops reconnecting. */
  stop(reason = 'closed by the adapter'): void {
    if (this.stopped) return;
    this.stopped = true;
    this.users = 0;
    clearTimeout(this.idleTimer);
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    clearInterval(this.watchdogTimer);
    this.closeApi();
    this.readyFlag = false;
    this.failPending(new DisconnectedError(`IB connection closed: ${reason}`));
    this.rejectStart(new DisconnectedError(`IB connection closed before it was ready: ${reason}`));
    this.setState('DISCONNECTED', reason);
  }

  /** Registers for link state changes. */
  onStatus(handler: (status: IbLinkStatus) => void): Unsubscribe {
    return this.statusListeners.add(handler);
  }

  /** Registers for ready sessions (first connection and every reconnection). */
  onSession(handler: (session: IbSession) => void): Unsubscribe {
    return this.sessionListeners.add(handler);
  }

  /** Registers for session notices (id -1): 1100/1101/1102, farm notices, 10197... */
  onNotice(handler: (notice: IbNotice) => void): Unsubscribe {
    return this.noticeListeners.add(handler);
  }

  /** Registers for errors naming an order id (ids below the request range). */
  onOrderError(handler: (error: IbIdMessage) => void): Unsubscribe {
    return this.orderErrorListeners.add(handler);
  }

  /** Routes errors naming `id` (a subscription's request id) to `handler` until the returned function is called. */
  onIdError(id: number, handler: (error: IbIdMessage) => void): Unsubscribe {
    this.idHandlers.set(id, handler);
    return () => {
      if (this.idHandlers.get(id) === handler) this.idHandlers.delete(id);
    };
  }

  /**
   * Listens to an IBApi event on this and every later session. The handler
   * runs inside the library's socket callback: exceptions are caught, counted
   * and logged so one bad message never stops the reading.
   */
  on<E extends IbEventName>(event: E, handler: (...args: IbEvents[E]) => void): Unsubscribe {
    const listener = ((...args: IbEvents[E]) => {
      try {
        handler(...args);
      } catch (error) {
        this.handlerErrors += 1;
        this.logger?.error({ err: error, event }, 'IB event handler failed');
      }
    }) as unknown as AnyListener;
    const entry = { event, listener };
    this.listeners.push(entry);
    if (this.api) (this.api as unknown as EmitterLike).on(event, listener);
    return () => {
      const index = this.listeners.indexOf(entry);
      if (index >= 0) this.listeners.splice(index, 1);
      if (this.api) (this.api as unknown as EmitterLike).off(event, listener);
    };
  }

  /**
   * Runs `action` on the session's IBApi.
   * @throws DisconnectedError when no session is ready: nothing is queued for later.
   */
  send(description: string, action: (api: IBApi) => void): void {
    const api = this.api;
    if (!this.readyFlag || !api) {
      throw new DisconnectedError(`cannot ${description}: IB connection is ${this.state.toLowerCase()}`);
    }
    action(api);
  }

  /** A fresh request id (far above order ids). */
  nextRequestId(): number {
    return this.requestIds.next();
  }

  /** A fresh order id, from TWS's nextValidId onwards; never the same twice. */
  nextOrderId(): number {
    return this.orderIds.next();
  }

  /**
   * Opens a request slot: errors naming its id reject it (mapped through the IB
   * error table), so do a timeout and a dropped link. The caller sends the
   * request with `reqId` and resolves the slot from its event handlers.
   */
  openRequest<T>(description: string, timeoutMs = this.options.requestTimeoutMs): PendingRequest<T> {
    const reqId = this.requestIds.next();
    let resolveFn!: (value: T) => void;
    let rejectFn!: (error: Error) => void;
    const promise = new Promise<T>((resolve, reject) => {
      resolveFn = resolve;
      rejectFn = reject;
    });
    let open = true;
    const finish = (): void => {
      open = false;
      clearTimeout(timer);
      this.pending.delete(reqId);
    };
    const timer = setTimeout(() => {
      if (!open) return;
      finish();
      rejectFn(new RequestTimeoutError(`${description}: no answer from IB within ${timeoutMs} ms`));
    }, timeoutMs);
    const slot: PendingRequest<T> = {
      reqId,
      promise,
      get open() {
        return open;
      },
      resolve: (value) => {
        if (!open) return;
        finish();
        resolveFn(value);
      },
      reject: (error) => {
        if (!open) return;
        finish();
        rejectFn(error);
      },
    };
    this.pending.set(reqId, slot as PendingRequest<unknown>);
    this.idHandlers.set(reqId, (error) => slot.reject(ibError(error.code, error.message, description)));
    void promise.then(
      () => this.idHandlers.delete(reqId),
      () => this.idHandlers.delete(reqId),
    );
    return slot;
  }

  private attempt(): void {
    if (this.stopped) return;
    this.closeApi();
    this.setState(this.sessionNumber === 0 ? 'CONNECTING' : 'RECONNECTING', `connecting to ${this.options.host}:${this.options.port}`);
    const api = new IBApi({
      host: this.options.host,
      port: this.options.port,
      clientId: this.options.clientId,
      maxReqPerSec: this.options.maxRequestsPerSecond,
    });
    this.api = api;
    this.accounts = [];
    this.lastNextValidId = 0;
    this.lastMessageAt = Date.now();
    this.attachListeners(api);
    this.connectTimer = setTimeout(
      () => this.linkDown(`no handshake from TWS within ${this.options.connectTimeoutMs} ms`),
      this.options.connectTimeoutMs,
    );
    api.connect(this.options.clientId);
  }

  private attachListeners(api: IBApi): void {
    const emitter = api as unknown as EmitterLike;
    emitter.removeAllListeners();
    const internal: { [E in IbEventName]?: (...args: IbEvents[E]) => void } = {
      received: () => {
        this.lastMessageAt = Date.now();
      },
      managedAccounts: (list) => {
        this.accounts = list
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a !== '');
        this.maybeReady(api);
      },
      nextValidId: (orderId) => {
        this.lastNextValidId = orderId;
        try {
          this.orderIds.seed(orderId);
        } catch (error) {
          this.refuse(error instanceof Error ? error.message : String(error));
          return;
        }
        if (this.accounts.length === 0) api.reqManagedAccts();
        this.maybeReady(api);
      },
      disconnected: () => {
        if (this.api === api) this.linkDown('TWS closed the connection');
      },
      error: (error, code, reqId, advanced) => this.onError(api, error.message, code, reqId, advanced),
      info: (message, code) => this.onError(api, message, code, -1, undefined),
    };
    for (const [event, handler] of Object.entries(internal)) {
      emitter.on(event, ((...args: never[]) => {
        try {
          (handler as (...a: never[]) => void)(...args);
        } catch (error) {
          this.handlerErrors += 1;
          this.logger?.error({ err: error, event }, 'IB connection handler failed');
        }
      }) as AnyListener);
    }
    for (const { event, listener } of this.listeners) emitter.on(event, listener);
  }

  private onError(api: IBApi, message: string, code: number, reqId: number, advanced: unknown): void {
    if (this.api !== api) return;
    if (code === IB_DECODE_ERROR) {
      this.decodeErrors += 1;
      this.logger?.error({ code, message }, 'IB message could not be decoded (client and server layouts disagree)');
      return;
    }
    const id = reqId ?? -1;
    if (id >= 0) {
      const handler = this.idHandlers.get(id);
      if (handler) return handler({ id, code, message, advancedOrderReject: advanced });
      if (!this.requestIds.owns(id)) return this.orderErrorListeners.emit({ id, code, message, advancedOrderReject: advanced });
      this.logger?.warn({ id, code, message }, 'IB error for a request no longer tracked');
      return;
    }
    this.onSessionMessage(code, message);
  }

  private onSessionMessage(code: number, message: string): void {
    switch (code) {
      case 326:
        // The client id is taken: this attempt is over. On the first attempt the service must not start.
        this.logger?.error({ code, clientId: this.options.clientId }, 'IB client id already in use');
        if (this.sessionNumber === 0) {
          // A second service with the same client id: a configuration mistake, not something to retry.
          return this.refuse(`IB 326: client id ${this.options.clientId} is already in use by another connection: ${message}`);
        }
        return this.linkDown(`IB 326: client id ${this.options.clientId} is already in use`);
      case 1100:
      case 2110:
        // TWS lost IB (1100) or its own server link (2110): the socket lives, but orders cannot reach IB.
        this.setState('DEGRADED', `IB ${code}: ${message}`);
        break;
      case 1101:
      case 1102:
        if (this.readyFlag) this.setState('CONNECTED', `IB ${code}: ${message}`);
        break;
      case 502:
        // The socket could not connect; the close that follows schedules the retry.
        this.logger?.debug({ code, message }, 'IB connect failed');
        return;
      case 504:
        return;
      default:
        break;
    }
    const kind = classifyIbMessage(code);
    if (kind === 'error') this.logger?.warn({ code, message }, 'IB session error');
    else this.logger?.debug({ code, message }, 'IB notice');
    this.noticeListeners.emit({ code, message });
  }

  private maybeReady(api: IBApi): void {
    if (this.api !== api || this.readyFlag || this.lastNextValidId === 0 || this.accounts.length === 0) return;
    clearTimeout(this.connectTimer);
    const account = this.chooseAccount();
    if (account === undefined) return;
    this.accountInUse = account;
    this.readyFlag = true;
    this.backoff.reset();
    this.sessionNumber += 1;
    api.reqMarketDataType(this.options.marketDataType);
    const session: IbSession = {
      number: this.sessionNumber,
      account,
      managedAccounts: [...this.accounts],
      nextValidId: this.lastNextValidId,
    };
    this.logger?.info(
      { session: session.number, account: maskAccount(account), serverVersion: api.serverVersion },
      session.number === 1 ? 'IB session ready' : 'IB session ready again after a reconnect',
    );
    this.sessionListeners.emit(session);
    this.setState('CONNECTED', session.number === 1 ? 'connected' : 'reconnected');
    const waiters = this.startWaiters;
    this.startWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  /** The account to trade in this session, or undefined after refusing it. */
  private chooseAccount(): string | undefined {
    const wanted = this.options.account;
    const shown = this.accounts.map(maskAccount).join(', ');
    if (wanted !== '' && !this.accounts.includes(wanted)) {
      this.refuse(`expected account ${maskAccount(wanted)} among the accounts TWS manages (${shown}), it is not`);
      return undefined;
    }
    const account = wanted !== '' ? wanted : this.accounts[0];
    if (!this.options.live && !PAPER_ACCOUNT.test(account)) {
      this.refuse(
        `expected a paper account (DU...) on a paper connection, TWS manages ${maskAccount(account)}; ` +
          'set live = true and IB_ACCOUNT to trade a live account',
      );
      return undefined;
    }
    return account;
  }

  /** Refuses the session for good: start fails with the reason and no reconnect follows. */
  private refuse(message: string): void {
    const error = new IbSessionRefusedError(message);
    this.logger?.error({ reason: message }, 'IB session refused');
    this.rejectStart(error);
    this.fatal = error;
    this.stop(message);
  }

  private linkDown(reason: string): void {
    if (this.stopped) return;
    clearTimeout(this.connectTimer);
    this.closeApi();
    const wasReady = this.readyFlag;
    this.readyFlag = false;
    this.failPending(new DisconnectedError(`IB connection lost: ${reason}`));
    const delay = this.backoff.next();
    this.logger?.warn({ reason, retryInMs: delay, wasReady }, 'IB connection down; reconnecting');
    this.setState('RECONNECTING', reason);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.attempt(), delay);
  }

  private startWatchdog(): void {
    clearInterval(this.watchdogTimer);
    const interval = this.options.watchdogIntervalMs;
    this.watchdogTimer = setInterval(() => this.watch(), Math.max(25, Math.floor(interval / 2)));
    this.watchdogTimer.unref?.();
  }

  private watch(): void {
    if (!this.readyFlag || !this.api) return;
    const now = Date.now();
    const quiet = now - this.lastMessageAt;
    const interval = this.options.watchdogIntervalMs;
    if (quiet >= 2 * interval) {
      this.linkDown(`watchdog: no message from TWS for ${quiet} ms`);
      return;
    }
    if (quiet >= interval && now - this.lastPingAt >= interval) {
      this.lastPingAt = now;
      this.api.reqCurrentTime();
    }
  }

  private closeApi(): void {
    const api = this.api;
    this.api = undefined;
    if (!api) return;
    (api as unknown as EmitterLike).removeAllListeners();
    try {
      api.disconnect();
    } catch (error) {
      this.logger?.debug({ err: error }, 'closing an IB socket failed');
    }
  }

  private failPending(error: Error): void {
    for (const slot of [...this.pending.values()]) slot.reject(error);
  }

  private rejectStart(error: Error): void {
    const waiters = this.startWaiters;
    this.startWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  private setState(state: ConnectionState, reason: string): void {
    // Every change is reported once; repeated failed attempts stay one RECONNECTING.
    if (state === this.state) return;
    this.state = state;
    this.statusListeners.emit({ state, reason });
  }
}
