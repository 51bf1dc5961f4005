import {
  ORDER_TYPES,
  type AccountState,
  type CancelAllOrdersCommand,
  type CancelOrderCommand,
  type ConnectionState,
  type Fill,
  type ModifyOrderCommand,
  type OrderSpec,
  type PositionSnapshot,
  type UnixNanos,
} from '@ttquant/domain';
import {
  DisconnectedError,
  InvalidOrderError,
  Listeners,
  requireCapability,
  requireOrderSupported,
  type ExecutionCapabilities,
  type ExecutionClient,
  type ExecutionReport,
  type InstrumentProvider,
  type OrderQuery,
  type Unsubscribe,
  type VenueOrderReport,
} from '@ttquant/gateway-api';
import { timerScheduler, type CancelTask, type SimScheduler } from './scheduler';
import type { SimVenue, VenueExecutionSink } from './sim-venue';

/** What the simulated venue supports: everything but brackets and OCO groups. */
export const SIM_EXECUTION_CAPABILITIES: ExecutionCapabilities = {
  orderTypes: [...ORDER_TYPES],
  timeInForce: ['DAY', 'GTC', 'IOC', 'FOK', 'GTD'],
  modify: true,
  cancelAll: true,
  brackets: false,
  oco: false,
  reduceOnly: true,
  postOnly: true,
  outsideRth: true,
  executionHistory: true,
};

/** Options of a {@link SimExecutionClient}. */
export interface SimExecutionClientOptions {
  readonly account: string;
  /** Delay before each report reaches the handlers, in ms; 0 still delivers asynchronously. */
  readonly latencyMs: number;
  readonly scheduler?: SimScheduler;
}

/**
 * The execution client of the simulated venue, for one account.
 *
 * Requests go to the {@link SimVenue} at once; its reports come back after the
 * configured latency, in order. When the venue's link drops, the client reports
 * `RECONNECTING`, refuses requests with {@link DisconnectedError}, and loses the
 * reports in flight; when the link returns it reports `CONNECTED` by itself and
 * the gateway reconciles (`reconcileExecution`) to learn what it missed.
 * DAY orders behave like GTC: the simulator has no trading sessions.
 */
export class SimExecutionClient implements ExecutionClient {
  readonly venue: string;
  readonly account: string;
  readonly capabilities = SIM_EXECUTION_CAPABILITIES;
  private state: ConnectionState = 'DISCONNECTED';
  /** True between connect() and disconnect(): the client reconnects by itself while it wants a connection. */
  private wanted = false;
  private detach: (() => void) | undefined;
  private readonly reports = new Listeners<ExecutionReport>();
  private readonly inFlight = new Set<CancelTask>();
  private readonly latencyMs: number;
  private readonly scheduler: SimScheduler;
  private readonly sink: VenueExecutionSink;

  constructor(
    private readonly simulator: SimVenue,
    private readonly instruments: InstrumentProvider,
    options: SimExecutionClientOptions,
  ) {
    this.venue = simulator.venue;
    this.account = options.account;
    this.latencyMs = options.latencyMs;
    this.scheduler = options.scheduler ?? timerScheduler;
    this.sink = {
      report: (report) => this.deliver(report),
      link: (up) => this.onLink(up),
    };
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /**
   * Logs in to the simulated venue.
   * @throws DisconnectedError when the venue link is down; the client then keeps trying and reports CONNECTED when it returns.
   */
  async connect(): Promise<void> {
    this.wanted = true;
    this.detach ??= this.simulator.attachExecution(this.account, this.sink);
    if (!this.simulator.linkUp) {
      this.setState('RECONNECTING', 'venue link is down');
      throw new DisconnectedError(`cannot connect to ${this.venue}: the link is down; will connect when it returns`);
    }
    this.setState('CONNECTED', 'logged in');
  }

  /** Logs out; working orders stay at the venue. */
  async disconnect(): Promise<void> {
    this.wanted = false;
    this.detach?.();
    this.detach = undefined;
    this.dropInFlight();
    this.setState('DISCONNECTED', 'closed by client');
  }

  async submit(spec: OrderSpec): Promise<void> {
    this.requireConnected('submit');
    requireOrderSupported(this.capabilities, spec, this.venue);
    this.instruments.get(spec.instrument);
    if (spec.account !== this.account) {
      throw new InvalidOrderError(`expected an order for account ${this.account}, was one for ${spec.account}`);
    }
    this.simulator.submit(this.account, spec);
    if (!this.simulator.linkUp) {
      throw new DisconnectedError(
        `connection to ${this.venue} lost before order ${spec.clientOrderId} was acknowledged; its outcome is unknown until reconciliation`,
      );
    }
  }

  async cancel(command: CancelOrderCommand): Promise<void> {
    this.requireConnected('cancel');
    this.simulator.cancel(this.account, command.clientOrderId);
  }

  async modify(command: ModifyOrderCommand): Promise<void> {
    requireCapability(this.capabilities, 'modify', this.venue);
    this.requireConnected('modify');
    this.simulator.modify(this.account, command);
  }

  async cancelAll(command: CancelAllOrdersCommand): Promise<void> {
    this.requireConnected('cancel all');
    this.simulator.cancelAll(this.account, command);
  }

  async openOrders(): Promise<VenueOrderReport[]> {
    this.requireConnected('query open orders');
    return this.simulator.openOrders(this.account);
  }

  async orderStatus(query: OrderQuery): Promise<VenueOrderReport | undefined> {
    this.requireConnected('query an order');
    return this.simulator.orderStatus(this.account, query.clientOrderId);
  }

  async positions(): Promise<PositionSnapshot[]> {
    this.requireConnected('query positions');
    return this.simulator.positions(this.account);
  }

  async accountState(): Promise<AccountState> {
    this.requireConnected('query the account');
    return this.simulator.accountState(this.account);
  }

  async executionsSince(since?: UnixNanos): Promise<Fill[]> {
    this.requireConnected('query executions');
    return this.simulator.executionsSince(this.account, since);
  }

  onReport(handler: (report: ExecutionReport) => void): Unsubscribe {
    return this.reports.add(handler);
  }

  private deliver(report: ExecutionReport): void {
    // A holder rather than a const: a synchronous scheduler (a backtest's) runs the task before schedule() returns.
    const entry: { cancel?: CancelTask; delivered: boolean } = { delivered: false };
    entry.cancel = this.scheduler.schedule(this.latencyMs, () => {
      entry.delivered = true;
      if (entry.cancel) this.inFlight.delete(entry.cancel);
      if (this.state === 'CONNECTED') this.reports.emit(report);
    });
    if (!entry.delivered) this.inFlight.add(entry.cancel);
  }

  private onLink(up: boolean): void {
    if (!this.wanted) return;
    if (up) {
      this.setState('CONNECTED', 'reconnected');
    } else {
      // What was on the wire is gone with the connection.
      this.dropInFlight();
      this.setState('RECONNECTING', 'venue link dropped; reconnecting');
    }
  }

  private dropInFlight(): void {
    for (const cancel of this.inFlight) cancel();
    this.inFlight.clear();
  }

  private requireConnected(action: string): void {
    if (this.state !== 'CONNECTED') {
      throw new DisconnectedError(`cannot ${action}: the connection to ${this.venue} is ${this.state}`);
    }
  }

  private setState(state: ConnectionState, detail: string): void {
    if (this.state === state) return;
    this.state = state;
    this.reports.emit({
      kind: 'status',
      status: { venue: this.venue, channel: 'execution', account: this.account, state, detail },
    });
  }
}
