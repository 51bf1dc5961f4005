import * as zmq from 'zeromq';
import { BusClosedError } from './errors';
import { ReceivingSocket, type ReceivingSocketOptions } from './receiving-socket';
import { zmqSocketOptions } from './socket-options';
import { isPrefix, type Subscription } from './topics';

/** Options of a {@link Subscriber}. */
export interface SubscriberOptions extends ReceivingSocketOptions {
  /** Subscriptions to make at once. */
  readonly subscriptions?: readonly Subscription[];
}

/**
 * SUB socket yielding decoded, validated, sequence-checked messages. Services
 * connect it to the hub's XPUB endpoint; tests may bind it.
 *
 * A subscription is a prefix from `topics.prefix` (ends with ".") or one
 * exact topic, which is matched exactly even though ZeroMQ filters by prefix.
 *
 * @example
 * const sub = new Subscriber({ onGap: (gap) => log.warn(gap, 'gap') });
 * sub.connect(hub.backend);
 * sub.subscribe(topics.prefix.ticksOfVenue('binance'));
 * for await (const msg of sub) handle(msg.payload, msg.eventTimeNs);
 */
export class Subscriber extends ReceivingSocket<zmq.Subscriber> {
  private readonly exact = new Map<string, number>();
  private readonly prefixes = new Map<string, number>();

  constructor(options: SubscriberOptions = {}) {
    super(new zmq.Subscriber(zmqSocketOptions(options, 'receive')), options.name ?? 'subscriber', options);
    for (const subscription of options.subscriptions ?? []) this.subscribe(subscription);
  }

  /** Adds a subscription (counted: subscribe twice, unsubscribe twice). */
  subscribe(subscription: Subscription): void {
    if (this.socket.closed) throw new BusClosedError(this.name);
    const table = isPrefix(subscription) ? this.prefixes : this.exact;
    table.set(subscription, (table.get(subscription) ?? 0) + 1);
    this.socket.subscribe(subscription);
    this.updateFilter();
  }

  /** Removes one count of a subscription made with {@link subscribe}. */
  unsubscribe(subscription: Subscription): void {
    if (this.socket.closed) throw new BusClosedError(this.name);
    const table = isPrefix(subscription) ? this.prefixes : this.exact;
    const count = table.get(subscription);
    if (count === undefined) return;
    if (count > 1) table.set(subscription, count - 1);
    else table.delete(subscription);
    this.socket.unsubscribe(subscription);
    this.updateFilter();
  }

  /** The current subscriptions. */
  subscriptions(): Subscription[] {
    return [...this.prefixes.keys(), ...this.exact.keys()] as Subscription[];
  }

  // ZeroMQ filters by prefix only; exact topics need a second look, and only
  // when there are any, so prefix-only subscribers pay nothing.
  private updateFilter(): void {
    if (this.exact.size === 0) {
      this.reader.filter = undefined;
      return;
    }
    const exact = this.exact;
    const prefixes = [...this.prefixes.keys()];
    this.reader.filter = (topic) => {
      if (exact.has(topic)) return true;
      for (const prefix of prefixes) if (topic.startsWith(prefix)) return true;
      return false;
    };
  }
}
