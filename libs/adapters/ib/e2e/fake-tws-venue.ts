import { systemClock, type InstrumentId } from '@ttquant/domain';
import type { AdapterLogger } from '@ttquant/gateway-api';
import type { DataHarness, ExecutionHarness, FakeMarket, FakeVenueControls } from '@ttquant/gateway-api/testing';
import { startFakeTws, type FakeTws, type FakeTwsOptions, type FillDecision, type PlacedOrder } from '@ttquant/testing';
import { createIbAdapter, type IbAdapter } from '../src';

/** Fast reconnects for tests; one test keeps the defaults on purpose. */
export const FAST_RECONNECT = { initialDelayMs: 20, maxDelayMs: 250, jitter: 0.2 };

/** How long dropConnection keeps the fake refusing new connections (restoreConnection ends it early). */
const REFUSE_FOR_MS = 10 * 60 * 1000;

interface MarketState {
  market: FakeMarket;
  /** Displayed size already taken at the current quote, per side. */
  takenBid: number;
  takenAsk: number;
}

/**
 * The conformance suites' venue controls on a fake TWS. The fake's paper
 * broker decides each order through a fill policy; this policy matches
 * against the market the suite set, limited by the displayed sizes, and fills
 * the rest later with `fillOrder` as the market moves (the fake's own
 * matching ignores sizes). An IOC order gets what is displayed when it
 * arrives; the fake cancels the rest itself, as IB does.
 */
export class FakeTwsVenue implements FakeVenueControls {
  /** Markets by conId (orders name IB's symbol, e.g. ES, the suite names TTQuant's, e.g. ESZ7). */
  private readonly markets = new Map<number, MarketState>();
  private readonly filled = new Map<number, number>();
  private rejectReason: string | undefined;
  private dropOnNextOrder = false;
  adapter: IbAdapter | undefined;

  constructor(readonly fake: FakeTws) {}

  /** The fill policy to start the fake with (bound late: the fake is built after this object). */
  static policy(venue: () => FakeTwsVenue | undefined): NonNullable<FakeTwsOptions['fillPolicy']> {
    return (order) => venue()?.decide(order) ?? 'rest';
  }

  setMarket(instrument: InstrumentId, market: FakeMarket): void {
    const conId = Number(this.adapter?.instruments.get(instrument).venueInstrumentId);
    this.markets.set(conId, { market, takenBid: 0, takenAsk: 0 });
    this.fake.setQuote(instrument.symbol, market.bid.toNumber(), market.ask.toNumber());
    this.match();
  }

  dropConnection(): void {
    this.fake.refuseConnections(REFUSE_FOR_MS);
    this.fake.dropConnections('reset');
  }

  restoreConnection(): void {
    // A refusal of 1 ms replaces the long one: new connections are accepted again.
    this.fake.refuseConnections(1);
  }

  rejectNext(reason: string): void {
    this.rejectReason = reason;
  }

  dropConnectionOnNextOrder(): void {
    this.dropOnNextOrder = true;
  }

  receivedCount(clientOrderId: string): number {
    return this.fake.placeOrderLog.filter((o) => o.orderRef === clientOrderId).length;
  }

  /** The policy: reject on request, fill what the displayed size allows now, rest the others. */
  decide(order: PlacedOrder): FillDecision {
    if (this.rejectReason !== undefined) {
      const reject = this.rejectReason;
      this.rejectReason = undefined;
      return { reject };
    }
    if (this.dropOnNextOrder) {
      this.dropOnNextOrder = false;
      // The order is processed, but nothing the broker answers reaches the client.
      this.dropConnection();
    }
    const state = this.markets.get(order.contract.conId);
    const remaining = order.totalQuantity - (this.filled.get(order.orderId) ?? 0);
    const fill = state ? this.fillable(order, state) : undefined;
    if (state && fill && fill.quantity >= remaining && remaining > 0) {
      this.take(order, state, remaining);
      return 'fill';
    }
    if (state && fill && order.tif === 'IOC' && remaining > 0) {
      // What is displayed now; the fake cancels the rest of an IOC order itself.
      this.take(order, state, fill.quantity);
      return { quantity: fill.quantity, price: fill.price };
    }
    if (fill) setImmediate(() => this.match());
    return 'rest';
  }

  /** Fills resting orders the current markets cross, within the displayed sizes. */
  match(): void {
    for (const order of this.fake.openOrders()) {
      const state = this.markets.get(order.contract.conId);
      if (!state) continue;
      const remaining = order.totalQuantity - (this.filled.get(order.orderId) ?? 0);
      const fill = this.fillable(order, state);
      if (fill && remaining > 0) {
        const quantity = Math.min(remaining, fill.quantity);
        try {
          this.fake.fillOrder(order.orderId, quantity, fill.price, order.clientId);
          this.take(order, state, quantity);
        } catch {
          // Held bracket children and orders not yet working are skipped until they are.
          continue;
        }
      }
    }
  }

  private take(order: PlacedOrder, state: MarketState, quantity: number): void {
    this.filled.set(order.orderId, (this.filled.get(order.orderId) ?? 0) + quantity);
    if (order.action === 'BUY') state.takenAsk += quantity;
    else state.takenBid += quantity;
  }

  /** What the order could take now: price and displayed quantity left, or undefined. */
  private fillable(order: PlacedOrder, state: MarketState): { price: number; quantity: number } | undefined {
    const buy = order.action === 'BUY';
    const m = state.market;
    const price = buy ? m.ask.toNumber() : m.bid.toNumber();
    const shown = (buy ? m.askSize.toNumber() - state.takenAsk : m.bidSize.toNumber() - state.takenBid) || 0;
    if (shown <= 0) return undefined;
    let crosses: boolean;
    switch (order.orderType) {
      case 'MKT':
        crosses = true;
        break;
      case 'LMT':
        crosses = order.lmtPrice !== undefined && (buy ? price <= order.lmtPrice : price >= order.lmtPrice);
        break;
      case 'STP':
        crosses = order.auxPrice !== undefined && (buy ? price >= order.auxPrice : price <= order.auxPrice);
        break;
      case 'STP LMT':
        crosses =
          order.auxPrice !== undefined &&
          order.lmtPrice !== undefined &&
          (buy ? price >= order.auxPrice && price <= order.lmtPrice : price <= order.auxPrice && price >= order.lmtPrice);
        break;
      default:
        crosses = false;
    }
    return crosses ? { price, quantity: shown } : undefined;
  }
}

/** Options of {@link startIbHarness}. */
export interface IbHarnessOptions {
  readonly symbol?: string;
  readonly clientId?: number;
  readonly adapterConfig?: Record<string, unknown>;
  readonly fake?: Omit<FakeTwsOptions, 'fillPolicy'>;
  readonly env?: NodeJS.ProcessEnv;
  /** Receives the adapter's log records (tests that check what it warned about). */
  readonly logger?: AdapterLogger;
  /** TTQuant's name for the account (the adapter's `accountName` option); absent: IB's id. */
  readonly accountName?: string;
}

/** A connected IB adapter on a fresh fake TWS, as the conformance suites want it. */
export interface IbHarness extends ExecutionHarness {
  readonly data: DataHarness['data'];
  readonly adapter: IbAdapter;
  readonly fake: FakeTws;
  readonly venue: FakeTwsVenue;
}

/** Starts a fake TWS, builds the IB adapter against it, loads the instrument and connects both clients. */
export async function startIbHarness(options: IbHarnessOptions = {}): Promise<IbHarness> {
  const holder: { venue?: FakeTwsVenue } = {};
  const fake = await startFakeTws({ ...options.fake, fillPolicy: FakeTwsVenue.policy(() => holder.venue) });
  const venue = new FakeTwsVenue(fake);
  holder.venue = venue;
  const symbol = options.symbol ?? 'AAPL';
  const adapter = createIbAdapter(
    {
      port: fake.port,
      clientId: options.clientId ?? 7,
      reconnect: FAST_RECONNECT,
      watchdogIntervalMs: 1_000,
      requestTimeoutMs: 5_000,
      commissionWaitMs: 1_000,
      instruments: [
        { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', primaryExchange: 'NASDAQ', currency: 'USD' },
        { symbol: 'SPY', secType: 'ETF', exchange: 'SMART', currency: 'USD' },
        { symbol: 'ESZ7', ibSymbol: 'ES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202712' },
      ],
      ...options.adapterConfig,
    },
    { clock: systemClock, ...(options.logger ? { logger: options.logger } : {}) },
    { env: options.env ?? {}, ...(options.accountName !== undefined ? { accountName: options.accountName } : {}) },
  );
  venue.adapter = adapter;
  try {
    await adapter.instruments.load();
    await adapter.data.connect();
    await adapter.execution.connect();
  } catch (error) {
    await adapter.dispose();
    await fake.close();
    throw error;
  }
  return {
    adapter,
    fake,
    venue,
    instrument: adapter.instruments.get({ venue: adapter.venue, symbol }),
    execution: adapter.execution,
    data: adapter.data,
    async dispose() {
      await adapter.dispose();
      await fake.close();
    },
  };
}

/** Throws when the pinned client reported a decode error (505) or an adapter handler failed, or the fake refused a message. */
export function expectCleanSession(harness: { adapter: IbAdapter; fake?: FakeTws }): void {
  const problems: string[] = [];
  if (harness.adapter.connection.decodeErrors > 0) problems.push(`${harness.adapter.connection.decodeErrors} decode error(s) (IB 505)`);
  if (harness.adapter.connection.handlerErrors > 0) problems.push(`${harness.adapter.connection.handlerErrors} handler error(s)`);
  if (harness.fake && harness.fake.clientErrors.length > 0) problems.push(`fake refused: ${harness.fake.clientErrors.join('; ')}`);
  if (problems.length > 0) throw new Error(`expected a clean IB session, found ${problems.join(', ')}`);
}
