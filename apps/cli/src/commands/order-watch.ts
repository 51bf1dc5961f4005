import { Pusher, Subscriber, topics } from '@ttquant/bus';
import type { OrderEvent, OrderStatus, RiskDenial } from '@ttquant/domain';
import { encodePayload, type DomainMessage, type wire } from '@ttquant/protocol';
import { decodeInbound, socketOptionsFrom } from '@ttquant/service-bus';
import { hostname } from 'node:os';
import type { CliConfig } from '../cli-config';
import { UnreachableError } from '../cli-errors';

/** Terminal order states: nothing follows them. */
export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['DENIED', 'REJECTED', 'FILLED', 'CANCELED', 'EXPIRED']);

/** How waiting for an order ended. */
export type WatchOutcome =
  /** The order reached a state the caller was waiting for. */
  | { readonly kind: 'settled'; readonly event: OrderEvent }
  /** The gateway refused the command; `event` is the order's last known state, if any. */
  | { readonly kind: 'denied'; readonly denial: RiskDenial; readonly event: OrderEvent | undefined }
  /** Time ran out (or the wait was aborted); `event` is the last state heard, if any. */
  | { readonly kind: 'timeout'; readonly event: OrderEvent | undefined };

/**
 * Listens to one account's order events and denials on the hub, for `ttq order …`.
 * It subscribes before the command is sent, and {@link waitForGateway} waits until
 * a heartbeat of that account's gateway arrives: subscriptions travel upstream in
 * order, so from then on the gateway has the order subscription too and no event
 * of the command can be missed.
 */
export class OrderWatch {
  private readonly subscriber: Subscriber;
  private readonly loop: Promise<void>;
  private target: string | undefined;
  private lastEvent: OrderEvent | undefined;
  private denial: RiskDenial | undefined;
  private gatewaySeen = false;
  private wake: (() => void) | undefined;

  /** Subscribes at once, on the hub's XPUB endpoint of `config`. */
  constructor(
    config: CliConfig,
    private readonly account: string,
  ) {
    const { bus } = config;
    this.subscriber = new Subscriber({ ...socketOptionsFrom(bus), linger: 0, name: 'ttq-orders' });
    this.subscriber.connect(bus.xpubEndpoint);
    this.subscriber.subscribe(topics.order(account));
    this.subscriber.subscribe(topics.riskDenial(account));
    // Last: once a heartbeat arrives, the subscriptions above have reached the gateway.
    this.subscriber.subscribe(topics.prefix.statusOfService('gateway'));
    this.loop = this.subscriber.consume((message) => {
      const inbound = decodeInbound(message);
      if (inbound.ok) this.onMessage(inbound.message);
      else this.onUndecodable(message.payload);
    });
  }

  /** Events and denials of this client order id are kept from now on. */
  track(clientOrderId: string): void {
    this.target = clientOrderId;
  }

  /** Resolves true once a heartbeat of the account's gateway arrived, false after `timeoutMs`. */
  async waitForGateway(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    await this.until(() => this.gatewaySeen, timeoutMs, signal);
    return this.gatewaySeen;
  }

  /**
   * Waits until the tracked order's last event satisfies `settled`, the gateway
   * denies the command, or `timeoutMs` passes.
   */
  async waitFor(settled: (event: OrderEvent) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<WatchOutcome> {
    const done = () => this.denial !== undefined || (this.lastEvent !== undefined && settled(this.lastEvent));
    await this.until(done, timeoutMs, signal);
    if (this.denial) return { kind: 'denied', denial: this.denial, event: this.lastEvent };
    if (this.lastEvent && settled(this.lastEvent)) return { kind: 'settled', event: this.lastEvent };
    return { kind: 'timeout', event: this.lastEvent };
  }

  /** The tracked order's last event heard so far. */
  get last(): OrderEvent | undefined {
    return this.lastEvent;
  }

  /** Stops listening. */
  async close(): Promise<void> {
    this.subscriber.close();
    await this.loop;
  }

  private onMessage(message: DomainMessage): void {
    switch (message.kind) {
      case 'heartbeat':
        if (message.value.info['account'] === this.account) this.gatewaySeen = true;
        break;
      case 'orderEvent':
        if (message.value.order.spec.clientOrderId !== this.target) return;
        // Events of one order arrive in sequence; a republished older one must not win.
        if (this.lastEvent && message.value.eventSequence < this.lastEvent.eventSequence) return;
        this.lastEvent = message.value;
        break;
      case 'riskDenial':
        if (message.value.clientOrderId !== this.target) return;
        this.denial = message.value;
        break;
      default:
        return;
    }
    this.wake?.();
  }

  /**
   * A denial of a command for an unknown order carries no instrument, which the
   * codec refuses; its text fields still tell the operator why.
   */
  private onUndecodable(payload: wire.Payload): void {
    const raw = payload.riskDenial;
    if (!raw || !this.target || raw.clientOrderId !== this.target) return;
    this.denial = {
      account: raw.account ?? '',
      clientOrderId: this.target,
      instrument: { venue: raw.instrument?.venue ?? '', symbol: raw.instrument?.symbol ?? '' },
      check: raw.check ?? '',
      reason: raw.reason ?? '',
    };
    this.wake?.();
  }

  private until(done: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (done() || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener('abort', finish);
      this.wake = () => {
        if (done()) finish();
      };
    });
  }
}

/**
 * Sends one order command to the gateway's PULL endpoint and keeps the socket
 * open until {@link close}, so the command is delivered before `ttq` exits.
 */
export class CommandSender {
  private readonly pusher: Pusher;

  /** Connects to the gateway's order endpoint of `config`. */
  constructor(private readonly config: CliConfig) {
    this.pusher = new Pusher({
      ...socketOptionsFrom(config.bus),
      name: 'ttq-commands',
      source: { service: 'ttq', instance: `${hostname()}-${process.pid}` },
      // Queue only to a connected gateway, so "nobody listening" shows up as a timeout.
      immediate: true,
      sendTimeoutMs: config.cli.requestTimeout,
    });
    this.pusher.connect(config.cli.gatewayOrders);
  }

  /**
   * @throws UnreachableError when the gateway's order endpoint takes no connection in time
   */
  async send(account: string, message: DomainMessage): Promise<void> {
    try {
      await this.pusher.send(topics.orderCommand(account), encodePayload(message));
    } catch (error) {
      throw new UnreachableError(
        'gateway orders endpoint',
        this.config.cli.gatewayOrders,
        `command not accepted within ${this.config.cli.requestTimeout} ms (is the gateway running? set cli.gatewayOrders or TTQ_CLI_GATEWAY_ORDERS): ${(error as Error).message}`,
      );
    }
  }

  /** Closes the socket; what was sent is still delivered (linger). */
  close(): void {
    this.pusher.close();
  }
}
