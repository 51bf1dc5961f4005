import type { Contract } from '@stoqey/ib';
import {
  millisToNanos,
  type Bar,
  type BookSnapshot,
  type Clock,
  type ConnectionState,
  type DataQuality,
  type Instrument,
  type InstrumentId,
  type MarketData,
  type QuoteTick,
  type UnixNanos,
  type VenueStatus,
} from '@ttquant/domain';
import {
  Listeners,
  NotSupportedError,
  subscriptionKey,
  type AdapterLogger,
  type DataCapabilities,
  type DataClient,
  type DataSubscription,
  type Unsubscribe,
} from '@ttquant/gateway-api';
import type { IbBackoffConfig, IbQuoteSource } from './config';
import { Backoff } from './connection/backoff';
import type { IbConnection, IbConnectionLease, IbIdMessage, IbLinkStatus, IbNotice } from './connection/ib-connection';
import type { IbInstrumentProvider } from './instrument-provider';
import { farmStatus } from './parsing/ib-errors';
import {
  DepthSide,
  L1Book,
  parseRawTickReqParams,
  qualityOf,
  toPrice,
  toQuote,
  toSize,
} from './parsing/market-data';

/** IB real-time bars come in one size: 5 seconds. */
export const IB_REALTIME_BAR_SECONDS = 5;

/** What IB's data side delivers through this adapter. */
export const IB_DATA_CAPABILITIES: DataCapabilities = {
  quotes: true,
  trades: true,
  bookL2: true,
  bars: true,
  barIntervals: [IB_REALTIME_BAR_SECONDS],
  // Historical bars go through requestBars of IbHistorySource and the paced backfill (history/).
  history: false,
  fundingRates: false,
};

/** What one IB request delivers. */
export type LineKind = 'l1' | 'bid-ask' | 'trades' | 'depth' | 'bars';

/** One IB request feeding one subscription (quotes: reqMktData; trades: tick-by-tick AllLast; books: reqMktDepth; bars: reqRealTimeBars). */
interface Line {
  readonly key: string;
  readonly kind: LineKind;
  readonly subscription: DataSubscription;
  readonly instrument: Instrument;
  readonly contract: Contract;
  reqId: number;
  quality: DataQuality;
  lastDataAt: number;
  stale: boolean;
  /** Quiet time after which the watchdog re-requests the line; doubles per fruitless re-request, reset by data. */
  quietLimitMs: number;
  /** Re-requests after a refusal IB may lift (10189/10190), spaced by a growing delay. */
  readonly retry: Backoff;
  retryTimer?: NodeJS.Timeout;
  dirty: boolean;
  stopErrors?: Unsubscribe;
  readonly l1?: L1Book;
  lastQuote?: QuoteTick;
  readonly bids?: DepthSide;
  readonly asks?: DepthSide;
  /** minTick as IB's TICK_REQ_PARAMS says it (read from the raw frame; the decoder reads it as an integer). */
  minTick?: number;
}

/** Options of {@link IbDataClient}. */
export interface IbDataClientOptions {
  readonly venue: string;
  readonly clock: Clock;
  /** The quality assumed until IB says which market data type a line gets. */
  readonly defaultQuality: DataQuality;
  /** Quotes from reqMktData (`market-data`) or tick-by-tick BidAsk. */
  readonly quoteSource: IbQuoteSource;
  readonly stalenessTimeoutMs: number;
  /** Delays between re-requests of a line IB refused for a while (10189/10190); the connection's backoff by default. */
  readonly retry?: IbBackoffConfig;
  readonly logger?: AdapterLogger;
}

/**
 * How much longer than `stalenessTimeoutMs` a line of each kind may stay quiet:
 * quotes, books and bars move (or tick, for bars, every 5 s) all session, while
 * tick-by-tick trades of a thinly traded contract can pause for minutes.
 */
export const IB_QUIET_FACTORS: Readonly<Record<LineKind, number>> = { l1: 1, 'bid-ask': 1, depth: 1, bars: 1, trades: 5 };
// A line quiet after re-requests waits up to this many times its limit before the next one.
const MAX_QUIET_BACKOFF = 8;
const DEFAULT_RETRY: IbBackoffConfig = { initialDelayMs: 5_000, maxDelayMs: 300_000, jitter: 0.2 };
// Refusals IB lifts by itself later: too many tick-by-tick lines now (10190), or tick-by-tick not served yet (10189).
const RETRYABLE_REFUSALS = new Set([10189, 10190]);

/**
 * The market-data half of the IB adapter (historical bars: {@link IbHistoryClient}).
 *
 * Quotes come from reqMktData, tagged with the market data type IB reports
 * for the line (realtime, frozen, delayed, delayed-frozen); trades from
 * tick-by-tick AllLast; books from market depth; bars from 5-second real-time
 * bars. Every subscription is re-requested after a reconnect and after IB's
 * 1101 (connectivity restored, data lost). A staleness watchdog re-requests a
 * live line that goes quiet and reports the data channel DEGRADED until data
 * flows again. Farm notices (2103/2104/2105/2106/2158) become status events.
 */
export class IbDataClient implements DataClient {
  readonly venue: string;
  readonly capabilities = IB_DATA_CAPABILITIES;
  private state: ConnectionState = 'DISCONNECTED';
  private connected = false;
  private linkState: ConnectionState = 'DISCONNECTED';
  private readonly data = new Listeners<MarketData>();
  private readonly statuses = new Listeners<VenueStatus>();
  private readonly lines = new Map<string, Line>();
  private readonly byReqId = new Map<number, Line>();
  private readonly farmsDown = new Map<string, string>();
  private competingSession = '';
  private flushScheduled = false;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly stops: Unsubscribe[] = [];
  private lease: IbConnectionLease | undefined;
  /** Times a quiet line was re-requested by the staleness watchdog. */
  staleResubscriptions = 0;
  /** Lines whose market data tick (TICK_REQ_PARAMS) differed from their instrument's tick size. */
  tickMismatches = 0;

  constructor(
    private readonly connection: IbConnection,
    private readonly instruments: IbInstrumentProvider,
    private readonly options: IbDataClientOptions,
  ) {
    this.venue = options.venue;
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.connected = true;
    this.listen();
    try {
      this.lease = await this.connection.lease();
    } catch (error) {
      this.connected = false;
      for (const stop of this.stops.splice(0)) stop();
      throw error;
    }
    this.linkState = this.connection.connectionState;
    this.requestAll();
    this.startWatchdog();
    this.refreshState('connected');
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    for (const line of this.lines.values()) this.cancelLine(line);
    this.lines.clear();
    this.byReqId.clear();
    this.connected = false;
    clearInterval(this.watchdog);
    for (const stop of this.stops.splice(0)) stop();
    await this.lease?.release();
    this.lease = undefined;
    this.setState('DISCONNECTED', 'disconnected by the adapter');
  }

  async subscribe(subscription: DataSubscription): Promise<void> {
    const kind = lineKind(subscription, this.capabilities, this.options.quoteSource);
    const instrument = this.instruments.get(subscription.instrument);
    const key = subscriptionKey(subscription);
    if (this.lines.has(key)) return;
    const line: Line = {
      key,
      kind,
      subscription,
      instrument,
      contract: this.instruments.contractOf(subscription.instrument),
      reqId: 0,
      quality: this.initialQuality(kind),
      lastDataAt: Date.now(),
      stale: false,
      quietLimitMs: this.quietLimitOf(kind),
      retry: new Backoff(this.options.retry ?? DEFAULT_RETRY),
      dirty: false,
      ...(kind === 'l1' ? { l1: new L1Book() } : {}),
      ...(kind === 'depth' ? { bids: new DepthSide(), asks: new DepthSide() } : {}),
    };
    this.lines.set(key, line);
    if (this.connection.ready) this.requestLine(line);
  }

  async unsubscribe(subscription: DataSubscription): Promise<void> {
    const line = this.lines.get(subscriptionKey(subscription));
    if (!line) return;
    this.lines.delete(line.key);
    this.cancelLine(line);
    if (line.stale) this.refreshState(`unsubscribed ${line.key}`);
  }

  subscriptions(): readonly DataSubscription[] {
    return [...this.lines.values()].map((line) => line.subscription);
  }

  async requestBars(_instrument: InstrumentId, intervalSeconds: number): Promise<Bar[]> {
    throw new NotSupportedError(
      `expected history through IB's paced backfill (requestBars of IbHistorySource), not DataClient.requestBars (${intervalSeconds} s bars)`,
    );
  }

  onData(handler: (data: MarketData) => void): Unsubscribe {
    return this.data.add(handler);
  }

  onStatus(handler: (status: VenueStatus) => void): Unsubscribe {
    return this.statuses.add(handler);
  }

  private listen(): void {
    const c = this.connection;
    this.stops.push(
      c.onStatus((status) => this.onLinkStatus(status)),
      c.onSession(() => this.onSession()),
      c.onNotice((notice) => this.onNotice(notice)),
      c.on('received', (fields) => this.onRaw(fields)),
      c.on('tickPrice', (reqId, tickType, price) => {
        const line = this.touch(reqId);
        if (line?.l1?.applyPrice(tickType, price)) this.markDirty(line);
      }),
      c.on('tickSize', (reqId, tickType, size) => {
        const line = this.touch(reqId);
        if (line?.l1?.applySize(tickType, size)) this.markDirty(line);
      }),
      c.on('marketDataType', (reqId, type) => {
        const line = this.byReqId.get(reqId);
        if (line) line.quality = qualityOf(type);
      }),
      c.on('tickByTickBidAsk', (reqId, time, bid, ask, bidSize, askSize) => this.onBidAsk(reqId, time, bid, ask, bidSize, askSize)),
      c.on('tickByTickAllLast', (reqId, _type, time, price, size) =>
        this.onTrade(reqId, time, price, size),
      ),
      c.on('updateMktDepth', (reqId, position, operation, side, price, size) => this.onDepth(reqId, position, operation, side, price, size)),
      c.on('updateMktDepthL2', (reqId, position, _maker, operation, side, price, size) =>
        this.onDepth(reqId, position, operation, side, price, size),
      ),
      c.on('realtimeBar', (reqId, time, open, high, low, close, volume, _wap, count) =>
        this.onBar(reqId, time, open, high, low, close, volume, count),
      ),
    );
  }

  private onLinkStatus(status: IbLinkStatus): void {
    if (!this.connected) return;
    this.linkState = status.state;
    if (status.state === 'RECONNECTING' || status.state === 'DISCONNECTED') {
      // Request ids of the old session mean nothing in the next one. A DEGRADED link (1100, 2110) keeps its
      // socket and TWS its lines: 1102 resumes them as they are, 1101 has them all asked for again.
      for (const line of this.lines.values()) this.forgetRequest(line);
    }
    this.refreshState(status.reason);
  }

  private onSession(): void {
    if (!this.connected) return;
    this.farmsDown.clear();
    this.competingSession = '';
    this.requestAll();
  }

  private onNotice(notice: IbNotice): void {
    if (!this.connected) return;
    const farm = farmStatus(notice.code);
    if (farm) {
      if (farm.up) this.farmsDown.delete(farm.farm);
      else this.farmsDown.set(farm.farm, `IB ${notice.code}: ${notice.message}`);
      this.emitStatus(this.computeState(), `IB ${notice.code}: ${notice.message}`);
      return;
    }
    switch (notice.code) {
      case 1101:
        // TWS is back but dropped every market data line: ask for all of them again.
        this.options.logger?.warn({ lines: this.lines.size }, 'IB 1101: data lost; re-requesting every subscription');
        this.requestAll(true);
        this.refreshState(`IB 1101: ${notice.message}; subscriptions re-requested`);
        return;
      case 1102:
        this.refreshState(`IB 1102: ${notice.message}`);
        return;
      case 10197:
        this.competingSession = `IB 10197: ${notice.message}`;
        this.refreshState(this.competingSession);
        return;
      default:
        return;
    }
  }

  /**
   * Reads what the pinned decoder mangles from the raw frame: TICK_REQ_PARAMS's
   * minTick (read as an integer there). A market data tick unlike the
   * instrument's tick size means the contract (often a stale cached one)
   * rounds prices wrongly: the operator is told once per line.
   */
  private onRaw(fields: string[]): void {
    const params = parseRawTickReqParams(fields);
    if (!params) return;
    const line = this.byReqId.get(params.reqId);
    if (!line) return;
    const known = line.minTick;
    line.minTick = params.minTick;
    if (known === params.minTick || !(params.minTick > 0)) return;
    const tickSize = line.instrument.tickSize.toNumber();
    if (Math.abs(params.minTick - tickSize) > 1e-12 * Math.max(1, tickSize)) {
      this.tickMismatches += 1;
      this.options.logger?.warn(
        { line: line.key, minTick: params.minTick, tickSize: line.instrument.tickSize.toString() },
        'IB market data tick differs from the instrument tick size: prices are rounded to the instrument tick; reload the contract',
      );
    }
  }

  private onTrade(reqId: number, time: string, price: number, size: number): void {
    const line = this.touch(reqId);
    if (!line || line.kind !== 'trades' || !(price > 0)) return;
    const now = this.options.clock.nowNanos();
    const seconds = Number(time);
    this.data.emit({
      kind: 'trade',
      instrument: line.instrument.id,
      quality: line.quality,
      eventTime: Number.isFinite(seconds) && seconds > 0 ? millisToNanos(seconds * 1000) : now,
      initTime: now,
      price: toPrice(line.instrument, price),
      size: toSize(size ?? 0),
      aggressor: 'NONE',
      // IB gives prints no id; exchange and second would collide for two prints in one second.
      tradeId: '',
    });
  }

  private onBidAsk(reqId: number, time: string | number, bid: number, ask: number, bidSize: number, askSize: number): void {
    const line = this.touch(reqId);
    if (!line || line.kind !== 'bid-ask' || !(bid > 0) || !(ask > 0)) return;
    const now = this.options.clock.nowNanos();
    const seconds = Number(time);
    const i = line.instrument;
    const bidPrice = toPrice(i, bid);
    const askPrice = toPrice(i, ask);
    if (!bidPrice.lt(askPrice)) return;
    this.data.emit({
      kind: 'quote',
      instrument: i.id,
      quality: line.quality,
      eventTime: Number.isFinite(seconds) && seconds > 0 ? millisToNanos(seconds * 1000) : now,
      initTime: now,
      bidPrice,
      bidSize: toSize(bidSize ?? 0),
      askPrice,
      askSize: toSize(askSize ?? 0),
    });
  }

  private onDepth(reqId: number, position: number, operation: number, side: number, price: number, size: number): void {
    const line = this.touch(reqId);
    if (!line || !line.bids || !line.asks) return;
    // IB: side 1 is bid, 0 is ask.
    (side === 1 ? line.bids : line.asks).apply(position, operation, price ?? 0, size ?? 0);
    this.markDirty(line);
  }

  private onBar(reqId: number, time: number, open: number, high: number, low: number, close: number, volume: number, count: number): void {
    const line = this.touch(reqId);
    if (!line || line.kind !== 'bars') return;
    const now = this.options.clock.nowNanos();
    const i = line.instrument;
    const bar: Bar = {
      kind: 'bar',
      instrument: i.id,
      quality: line.quality,
      eventTime: now,
      initTime: now,
      intervalSeconds: IB_REALTIME_BAR_SECONDS,
      startTime: millisToNanos(Number(time) * 1000),
      open: toPrice(i, open),
      high: toPrice(i, high),
      low: toPrice(i, low),
      close: toPrice(i, close),
      volume: toSize(volume ?? 0),
      tradeCount: count ?? 0,
    };
    this.data.emit(bar);
  }

  /** The line of a request id, marked as alive; undefined for ids of no line. */
  private touch(reqId: number): Line | undefined {
    const line = this.byReqId.get(reqId);
    if (!line) return undefined;
    line.lastDataAt = Date.now();
    line.quietLimitMs = this.quietLimitOf(line.kind);
    line.retry.reset();
    if (line.stale || this.competingSession !== '') {
      line.stale = false;
      // Data flows again, so a competing session (10197) has ended too.
      this.competingSession = '';
      this.refreshState(`${line.key} flowing again`);
    }
    return line;
  }

  private markDirty(line: Line): void {
    line.dirty = true;
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // One quote per line per batch of messages: a bid and its size arrive as two events.
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const now = this.options.clock.nowNanos();
    for (const line of this.lines.values()) {
      if (!line.dirty) continue;
      line.dirty = false;
      if (line.l1) this.flushQuote(line, now);
      else if (line.bids && line.asks) this.flushBook(line, now);
    }
  }

  private flushQuote(line: Line, now: UnixNanos): void {
    const quote = toQuote(line.instrument, line.l1 as L1Book, line.quality, now);
    if (!quote) return;
    const last = line.lastQuote;
    if (
      last &&
      last.bidPrice.eq(quote.bidPrice) &&
      last.askPrice.eq(quote.askPrice) &&
      last.bidSize.eq(quote.bidSize) &&
      last.askSize.eq(quote.askSize) &&
      last.quality === quote.quality
    ) {
      return;
    }
    line.lastQuote = quote;
    this.data.emit(quote);
  }

  private flushBook(line: Line, now: UnixNanos): void {
    const depth = line.subscription.kind === 'book' ? line.subscription.depth : 10;
    const book: BookSnapshot = {
      kind: 'book-snapshot',
      instrument: line.instrument.id,
      quality: line.quality,
      eventTime: now,
      initTime: now,
      bids: (line.bids as DepthSide).toLevels(line.instrument, depth),
      asks: (line.asks as DepthSide).toLevels(line.instrument, depth),
    };
    this.data.emit(book);
  }

  private requestAll(fresh = false): void {
    if (!this.connection.ready) return;
    for (const line of this.lines.values()) {
      if (fresh || line.reqId === 0) this.requestLine(line);
    }
  }

  private requestLine(line: Line): void {
    this.forgetRequest(line);
    line.l1?.clear();
    line.bids?.clear();
    line.asks?.clear();
    line.lastQuote = undefined;
    const reqId = this.connection.nextRequestId();
    line.reqId = reqId;
    line.lastDataAt = Date.now();
    line.quality = this.initialQuality(line.kind);
    this.byReqId.set(reqId, line);
    line.stopErrors = this.connection.onIdError(reqId, (error) => this.onLineError(line, error));
    const contract = line.contract;
    try {
      this.connection.send(`subscribe ${line.key}`, (api) => {
        switch (line.kind) {
          case 'l1':
            api.reqMktData(reqId, contract, '', false, false);
            break;
          case 'trades':
            api.reqTickByTickData(reqId, contract, 'AllLast' as Parameters<typeof api.reqTickByTickData>[2], 0, false);
            break;
          case 'bid-ask':
            api.reqTickByTickData(reqId, contract, 'BidAsk' as Parameters<typeof api.reqTickByTickData>[2], 0, false);
            break;
          case 'depth':
            api.reqMktDepth(reqId, contract, line.subscription.kind === 'book' ? line.subscription.depth : 10, isSmart(contract), []);
            break;
          case 'bars':
            api.reqRealTimeBars(
              reqId,
              contract,
              IB_REALTIME_BAR_SECONDS,
              (contract.secType === 'CASH' ? 'MIDPOINT' : 'TRADES') as Parameters<typeof api.reqRealTimeBars>[3],
              false,
              [],
            );
            break;
        }
      });
    } catch (error) {
      // Link down between the check and the send: the next session requests it again.
      this.forgetRequest(line);
      this.options.logger?.debug({ err: error, line: line.key }, 'IB subscription deferred to the next session');
    }
  }

  private cancelLine(line: Line): void {
    clearTimeout(line.retryTimer);
    line.retryTimer = undefined;
    const reqId = line.reqId;
    this.forgetRequest(line);
    if (reqId === 0 || !this.connection.ready) return;
    try {
      this.connection.send(`unsubscribe ${line.key}`, (api) => {
        switch (line.kind) {
          case 'l1':
            api.cancelMktData(reqId);
            break;
          case 'trades':
          case 'bid-ask':
            api.cancelTickByTickData(reqId);
            break;
          case 'depth':
            api.cancelMktDepth(reqId, isSmart(line.contract));
            break;
          case 'bars':
            api.cancelRealTimeBars(reqId);
            break;
        }
      });
    } catch (error) {
      this.options.logger?.debug({ err: error, line: line.key }, 'IB unsubscribe skipped: link down');
    }
  }

  private forgetRequest(line: Line): void {
    if (line.reqId !== 0) this.byReqId.delete(line.reqId);
    line.stopErrors?.();
    line.stopErrors = undefined;
    line.reqId = 0;
  }

  private onLineError(line: Line, error: IbIdMessage): void {
    if (RETRYABLE_REFUSALS.has(error.code)) {
      this.retryLater(line, error);
      return;
    }
    switch (error.code) {
      case 10167:
        // IB shows delayed data because the account lacks the live subscription.
        line.quality = 'DELAYED';
        this.options.logger?.warn({ line: line.key, code: error.code }, error.message);
        return;
      case 10197:
        // No data for this line while another session of the account is live; the watchdog re-requests it.
        line.stale = true;
        this.refreshState(`${line.key}: IB 10197: ${error.message}`);
        return;
      // Unknown contract, or no market data permission: never delivers.
      case 200:
      case 354:
      case 10168:
      case 10089:
      case 10090:
        // The line will never deliver: stop it and say why.
        this.options.logger?.error({ line: line.key, code: error.code, message: error.message }, 'IB refused a market data line');
        this.lines.delete(line.key);
        this.forgetRequest(line);
        this.emitStatus(this.computeState(), `${line.key}: IB ${error.code}: ${error.message}`);
        return;
      default:
        this.options.logger?.warn({ line: line.key, code: error.code, message: error.message }, 'IB market data message');
    }
  }

  /** A refusal IB may lift: the line stays, DEGRADED, and is asked for again after a growing delay. */
  private retryLater(line: Line, error: IbIdMessage): void {
    this.forgetRequest(line);
    line.stale = true;
    const delay = line.retry.next();
    this.options.logger?.warn({ line: line.key, code: error.code, retryInMs: delay }, 'IB refused a market data line for now; retrying');
    clearTimeout(line.retryTimer);
    line.retryTimer = setTimeout(() => {
      line.retryTimer = undefined;
      // Unsubscribed, or a new session asked for it meanwhile.
      if (this.lines.get(line.key) !== line || line.reqId !== 0 || !this.connection.ready) return;
      this.requestLine(line);
    }, delay);
    line.retryTimer.unref?.();
    this.emitStatus(this.computeState(), `${line.key}: IB ${error.code}: ${error.message}; retrying in ${delay} ms`);
  }

  /**
   * The quality of a line until IB says otherwise. Only reqMktData lines get a
   * market data type from IB (and may be delayed or frozen); tick-by-tick,
   * market depth and real-time bars are served live or refused, so they are
   * REALTIME whatever type the session asked for.
   */
  private initialQuality(kind: LineKind): DataQuality {
    return kind === 'l1' ? this.options.defaultQuality : 'REALTIME';
  }

  private quietLimitOf(kind: LineKind): number {
    return this.options.stalenessTimeoutMs * IB_QUIET_FACTORS[kind];
  }

  private startWatchdog(): void {
    clearInterval(this.watchdog);
    const timeout = this.options.stalenessTimeoutMs;
    this.watchdog = setInterval(() => this.checkStaleness(), Math.max(25, Math.floor(timeout / 4)));
    this.watchdog.unref?.();
  }

  private checkStaleness(): void {
    if (!this.connection.ready || this.linkState !== 'CONNECTED') return;
    const now = Date.now();
    for (const line of this.lines.values()) {
      // Frozen data does not move by definition; only live lines can go stale.
      if (line.reqId === 0 || line.quality === 'FROZEN' || line.quality === 'DELAYED_FROZEN') continue;
      const quiet = now - line.lastDataAt;
      if (quiet < line.quietLimitMs) continue;
      this.staleResubscriptions += 1;
      // Still quiet after this re-request: wait longer before the next (a quiet market is not a broken line).
      line.quietLimitMs = Math.min(line.quietLimitMs * 2, this.quietLimitOf(line.kind) * MAX_QUIET_BACKOFF);
      const first = !line.stale;
      line.stale = true;
      this.options.logger?.warn({ line: line.key, quietMs: quiet }, 'IB subscription quiet; re-requesting it');
      // Cancel the quiet request first: TWS still counts it against the account's market data lines.
      this.cancelLine(line);
      this.requestLine(line);
      if (first) this.refreshState(`${line.key} quiet for ${quiet} ms; re-requested`);
    }
  }

  private computeState(): ConnectionState {
    if (this.linkState !== 'CONNECTED') return this.linkState;
    if (this.farmsDown.has('market-data') || this.competingSession !== '') return 'DEGRADED';
    for (const line of this.lines.values()) if (line.stale) return 'DEGRADED';
    return 'CONNECTED';
  }

  private refreshState(detail: string): void {
    this.setState(this.computeState(), detail);
  }

  private setState(state: ConnectionState, detail: string): void {
    if (state === this.state) return;
    this.emitStatus(state, detail);
  }

  private emitStatus(state: ConnectionState, detail: string): void {
    this.state = state;
    this.statuses.emit({ venue: this.venue, channel: 'data', account: '', state, detail });
  }
}

function isSmart(contract: Contract): boolean {
  return contract.exchange === 'SMART';
}

function lineKind(subscription: DataSubscription, caps: DataCapabilities, quoteSource: IbQuoteSource): LineKind {
  switch (subscription.kind) {
    case 'quotes':
      return quoteSource === 'tick-by-tick' ? 'bid-ask' : 'l1';
    case 'trades':
      return 'trades';
    case 'book':
      if (!Number.isInteger(subscription.depth) || subscription.depth < 1) {
        throw new NotSupportedError(`expected a book depth of at least 1 level, was ${subscription.depth}`);
      }
      return 'depth';
    case 'bars':
      if (!caps.barIntervals.includes(subscription.intervalSeconds)) {
        throw new NotSupportedError(
          `expected IB live bars of ${caps.barIntervals.join(', ')} s, was ${subscription.intervalSeconds} s`,
        );
      }
      return 'bars';
    case 'funding-rates':
      throw new NotSupportedError('expected funding rates only from perpetual swap venues; IB has none');
  }
}
