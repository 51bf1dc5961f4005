import { Order, systemClock, type Clock, type Fill, type OrderEvent, type OrderSpec, type OrderStatus } from '@ttquant/domain';
import type { ExecutionClient, ExecutionReport, VenueOrderReport } from '../execution-client';
import type { Unsubscribe } from '../listeners';
import type { ReconciliationResult } from '../reconciliation';

/** One order the suite sent, as the gateway would track it. */
interface TrackedOrder {
  readonly order: Order;
  readonly events: OrderEvent[];
  readonly reports: VenueOrderReport[];
  readonly fills: Fill[];
}

interface Waiter {
  readonly condition: () => boolean;
  readonly resolve: () => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Listens to an execution client the way the gateway does: keeps every report,
 * runs each tracked order through the domain's order state machine (fills
 * deduplicated by exec id, then status reports) and records every report the
 * state machine refuses as a violation. Tests wait on conditions re-checked
 * after each report, never on fixed sleeps.
 */
export class ExecutionRecorder {
  /** Every report received, in order. */
  readonly reports: ExecutionReport[] = [];
  /** Reports the order state machine refused, or that broke an invariant; a conforming adapter leaves this empty. */
  readonly violations: string[] = [];
  private readonly orders = new Map<string, TrackedOrder>();
  private readonly execIds = new Set<string>();
  private waiters: Waiter[] = [];
  private readonly unsubscribe: Unsubscribe;

  constructor(
    client: ExecutionClient,
    private readonly timeoutMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.unsubscribe = client.onReport((report) => this.onReport(report));
  }

  /** Tracks an order about to be submitted and moves it to SUBMITTED, as the gateway does before routing. */
  submitting(spec: OrderSpec): Order {
    const order = Order.create(spec, this.clock.nowNanos());
    const tracked: TrackedOrder = { order, events: [], reports: [], fills: [] };
    this.orders.set(spec.clientOrderId, tracked);
    this.record(tracked, () => order.apply({ status: 'SUBMITTED', time: this.clock.nowNanos() }));
    return order;
  }

  /** Moves a tracked order to PENDING_CANCEL before a cancel is sent, when it is still working. */
  cancelling(clientOrderId: string): void {
    this.pending(clientOrderId, 'PENDING_CANCEL');
  }

  /** Moves a tracked order to PENDING_REPLACE before a modify is sent, when it is still working. */
  replacing(clientOrderId: string): void {
    this.pending(clientOrderId, 'PENDING_REPLACE');
  }

  /** The tracked order. */
  order(clientOrderId: string): Order {
    return this.tracked(clientOrderId).order;
  }

  /** The distinct fills of a tracked order, in arrival order. */
  fills(clientOrderId: string): readonly Fill[] {
    return this.tracked(clientOrderId).fills;
  }

  /** The venue's order reports for a tracked order, in arrival order. */
  orderReports(clientOrderId: string): readonly VenueOrderReport[] {
    return this.tracked(clientOrderId).reports;
  }

  /** Events the state machine produced for a tracked order (SUBMITTED included). */
  events(clientOrderId: string): readonly OrderEvent[] {
    return this.tracked(clientOrderId).events;
  }

  /** Feeds a reconciliation result in the documented order: new fills, then order reports. */
  applyReconciliation(result: ReconciliationResult): void {
    for (const fill of result.fills) this.onFill(fill);
    for (const report of result.orders) this.onOrderReport(report);
    this.wake();
  }

  /**
   * Resolves once `condition` holds, checking now and after every report;
   * rejects after the wait timeout with `description` and the reports seen.
   */
  waitUntil(condition: () => boolean, description: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${this.timeoutMs} ms waiting for ${description}; reports: ${this.describeReports()}`));
      }, this.timeoutMs);
      const waiter: Waiter = {
        condition,
        timer,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves with the order once it reaches one of `statuses`. */
  async waitForStatus(clientOrderId: string, ...statuses: OrderStatus[]): Promise<Order> {
    const order = this.order(clientOrderId);
    await this.waitUntil(() => statuses.includes(order.status), `order ${clientOrderId} to reach ${statuses.join(' or ')}`);
    return order;
  }

  /** Stops listening. */
  dispose(): void {
    this.unsubscribe();
    for (const waiter of this.waiters) clearTimeout(waiter.timer);
    this.waiters = [];
  }

  private onReport(report: ExecutionReport): void {
    this.reports.push(report);
    if (report.kind === 'fill') this.onFill(report.fill);
    else if (report.kind === 'order') this.onOrderReport(report);
    this.wake();
  }

  private onFill(fill: Fill): void {
    if (this.execIds.has(fill.execId)) return;
    this.execIds.add(fill.execId);
    const tracked = this.orders.get(fill.clientOrderId);
    if (!tracked) return;
    tracked.fills.push(fill);
    this.record(tracked, () => tracked.order.applyFill(fill));
  }

  private onOrderReport(report: VenueOrderReport): void {
    const tracked = this.orders.get(report.clientOrderId);
    if (!tracked) return;
    const previous = tracked.reports[tracked.reports.length - 1];
    if (previous && report.filledQuantity.lt(previous.filledQuantity)) {
      this.violations.push(
        `order ${report.clientOrderId}: expected cumulative filled >= ${previous.filledQuantity.toString()}, ` +
          `was ${report.filledQuantity.toString()}`,
      );
    }
    tracked.reports.push(report);
    this.record(tracked, () =>
      tracked.order.apply({
        status: report.status,
        time: report.eventTime,
        reason: report.reason,
        venueOrderId: report.venueOrderId === '' ? undefined : report.venueOrderId,
        filledQuantity: report.filledQuantity,
        avgFillPrice: report.avgFillPrice,
        amended: report.amended
          ? { quantity: report.quantity, limitPrice: report.limitPrice, stopPrice: report.stopPrice }
          : undefined,
      }),
    );
  }

  private pending(clientOrderId: string, status: 'PENDING_CANCEL' | 'PENDING_REPLACE'): void {
    const tracked = this.tracked(clientOrderId);
    if (!tracked.order.isOpen || tracked.order.status === 'SUBMITTED') return;
    this.record(tracked, () => tracked.order.apply({ status, time: this.clock.nowNanos() }));
  }

  private record(tracked: TrackedOrder, change: () => OrderEvent | undefined): void {
    try {
      const event = change();
      if (event) tracked.events.push(event);
    } catch (error) {
      this.violations.push(error instanceof Error ? error.message : String(error));
    }
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.condition());
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }

  private tracked(clientOrderId: string): TrackedOrder {
    const tracked = this.orders.get(clientOrderId);
    if (!tracked) throw new Error(`expected order ${clientOrderId} to be tracked, it is not`);
    return tracked;
  }

  private describeReports(): string {
    if (this.reports.length === 0) return '(none)';
    return this.reports.slice(-20).map(describeReport).join('; ');
  }
}

function describeReport(report: ExecutionReport): string {
  switch (report.kind) {
    case 'order':
      return (
        `order ${report.clientOrderId} ${report.status} filled=${report.filledQuantity.toString()}` +
        (report.reason ? ` (${report.reason})` : '')
      );
    case 'fill':
      return `fill ${report.fill.clientOrderId} ${report.fill.quantity.toString()}@${report.fill.price.toString()}`;
    case 'position':
      return `position ${report.position.instrument.symbol} ${report.position.quantity.toString()}`;
    case 'account':
      return `account ${report.state.account}`;
    case 'status':
      return `status ${report.status.state}`;
  }
}
