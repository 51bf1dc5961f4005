import { Subscriber, topics } from '@ttquant/bus';
import type { BusConfig } from '@ttquant/config';
import { Decimal, instrumentKey, type Heartbeat, type PositionSnapshot } from '@ttquant/domain';
import type { DomainMessage } from '@ttquant/protocol';
import { decodeInbound, socketOptionsFrom } from '@ttquant/service-bus';

/** Places PnL is shown and summarised with. */
export const PNL_SCALE = 4;

/** What the launcher has heard on the bus so far. */
export interface MonitorSnapshot {
  /** Quotes and trades received. */
  readonly ticks: number;
  /** Distinct client order ids seen in order events. */
  readonly orders: number;
  /** Distinct executions seen. */
  readonly fills: number;
  /** The last position of each instrument. */
  readonly positions: readonly PositionSnapshot[];
}

/**
 * The launcher's ear on the hub: counts ticks, orders and fills for the
 * progress line, and keeps the last position per instrument and the last
 * heartbeat per service for the summary (a service's final heartbeat, state
 * STOPPED, carries its final counters).
 */
export class SimMonitor {
  private ticks = 0;
  private readonly orderIds = new Set<string>();
  private readonly execIds = new Set<string>();
  private readonly positions = new Map<string, PositionSnapshot>();
  private readonly heartbeats = new Map<string, Heartbeat>();
  private subscriber: Subscriber | undefined;
  private loop: Promise<void> | undefined;
  private readonly heartbeatWaiters = new Set<() => void>();

  constructor(private readonly account: string) {}

  /** Subscribes on the hub's XPUB side: ticks, the account's execution topics, heartbeats. */
  connect(xpubEndpoint: string, bus: BusConfig): void {
    const subscriber = new Subscriber({ ...socketOptionsFrom(bus), linger: 0, name: 'sim-monitor' });
    subscriber.connect(xpubEndpoint);
    subscriber.subscribe(topics.prefix.allTicks());
    subscriber.subscribe(topics.order(this.account));
    subscriber.subscribe(topics.fill(this.account));
    subscriber.subscribe(topics.position(this.account));
    subscriber.subscribe(topics.prefix.allStatus());
    this.subscriber = subscriber;
    this.loop = subscriber.consume((message) => {
      const inbound = decodeInbound(message);
      if (inbound.ok) this.handle(inbound.message);
    });
  }

  /** Takes one decoded message into account. */
  handle(message: DomainMessage): void {
    switch (message.kind) {
      case 'quote':
      case 'trade':
        this.ticks++;
        return;
      case 'orderEvent':
        this.orderIds.add(message.value.order.spec.clientOrderId);
        return;
      case 'fill':
        this.execIds.add(`${message.value.instrument.venue}\u0000${message.value.execId}`);
        return;
      case 'position':
        this.positions.set(instrumentKey(message.value.instrument), message.value);
        return;
      case 'heartbeat':
        this.heartbeats.set(message.value.service, message.value);
        for (const wake of this.heartbeatWaiters) wake();
        return;
      default:
        return;
    }
  }

  /** The counters and positions so far. */
  snapshot(): MonitorSnapshot {
    return { ticks: this.ticks, orders: this.orderIds.size, fills: this.execIds.size, positions: [...this.positions.values()] };
  }

  /** The last heartbeat of a service, if any arrived. */
  lastHeartbeat(service: string): Heartbeat | undefined {
    return this.heartbeats.get(service);
  }

  /** Resolves true once the service's final heartbeat (state STOPPED) arrived, false after `timeoutMs`. */
  async waitForFinalHeartbeat(service: string, timeoutMs: number): Promise<boolean> {
    const final = () => this.heartbeats.get(service)?.state === 'STOPPED';
    if (final()) return true;
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.heartbeatWaiters.delete(wake);
        resolve();
      };
      const wake = () => {
        if (final()) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.heartbeatWaiters.add(wake);
    });
    return final();
  }

  /** Stops listening. */
  async close(): Promise<void> {
    this.subscriber?.close();
    await this.loop;
  }
}

/** Realised PnL summed over positions, by currency (exact). */
export function realizedByCurrency(positions: readonly PositionSnapshot[]): Map<string, Decimal> {
  const sums = new Map<string, Decimal>();
  for (const position of positions) sums.set(position.currency, (sums.get(position.currency) ?? Decimal.ZERO).add(position.realizedPnl));
  return sums;
}

/** `12.3400 USD` (`0.0000` with no positions; currencies joined with `, `). */
export function formatPnl(byCurrency: ReadonlyMap<string, Decimal>): string {
  if (byCurrency.size === 0) return Decimal.ZERO.toFixed(PNL_SCALE);
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, value]) => `${value.toFixed(PNL_SCALE)}${currency ? ` ${currency}` : ''}`)
    .join(', ');
}

/** Open positions as `ACME +10, BTC-USD -0.5`, or `flat`. */
export function formatOpenPositions(positions: readonly PositionSnapshot[]): string {
  const open = positions.filter((p) => !p.quantity.isZero());
  if (open.length === 0) return 'flat';
  return open.map((p) => `${p.instrument.symbol} ${p.quantity.isPositive() ? '+' : ''}${p.quantity.toString()}`).join(', ');
}

/** Inputs of {@link progressLine}. */
export interface ProgressFigures {
  readonly elapsedMs: number;
  /** The run's length, when it has one. */
  readonly durationMs: number | undefined;
  readonly ticksPerSecond: number;
  readonly snapshot: MonitorSnapshot;
}

/** The one live line: `12s/20s  ticks 101/s  orders 14  fills 14  position ACME +10  realised PnL 12.3400 USD`. */
export function progressLine(figures: ProgressFigures): string {
  const elapsed = `${Math.floor(figures.elapsedMs / 1_000)}s${figures.durationMs ? `/${Math.round(figures.durationMs / 1_000)}s` : ''}`;
  const { snapshot } = figures;
  return [
    elapsed,
    `ticks ${Math.round(figures.ticksPerSecond)}/s`,
    `orders ${snapshot.orders}`,
    `fills ${snapshot.fills}`,
    `position ${formatOpenPositions(snapshot.positions)}`,
    `realised PnL ${formatPnl(realizedByCurrency(snapshot.positions))}`,
  ].join('  ');
}
