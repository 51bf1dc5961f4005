import type { ClientSession } from './client-session';
import type { ContractRegistry } from './contract-registry';
import type { FakeTwsClock } from './fake-clock';
import { depthBook, isFrozen, quoteTicks, tickByTick } from './market-feed';
import type { MarketSimulator } from './market-simulator';
import * as out from './server-messages';
import { formatTwsDay, formatTwsTime } from './tws-time';

/** Pushes the simulated market to every subscription of every client: quotes, tick-by-tick, depth, bars. */
export class MarketStreamer {
  constructor(
    private readonly market: MarketSimulator,
    private readonly registry: ContractRegistry,
    private readonly clock: FakeTwsClock,
    private readonly sessions: () => ClientSession[],
    /** True while connectivity is lost (1100) or the market data farm is down (2103): nothing flows. */
    private readonly paused: () => boolean,
  ) {}

  /** Every contract some client subscribed to. */
  subscribedConIds(): Set<number> {
    const ids = new Set<number>();
    for (const s of this.sessions()) {
      for (const sub of s.marketData.values()) ids.add(sub.conId);
      for (const sub of s.tickByTick.values()) ids.add(sub.conId);
      for (const sub of s.depth.values()) ids.add(sub.conId);
      for (const sub of s.realTimeBars.values()) ids.add(sub.conId);
      for (const sub of s.historicalUpdates.values()) ids.add(sub.conId);
    }
    return ids;
  }

  /** Sends a contract's current quote to its quote, tick-by-tick and depth subscribers. */
  publish(conId: number): void {
    if (this.paused()) return;
    const c = this.registry.get(conId);
    if (!c) return;
    const q = this.market.quote(conId);
    const now = Math.floor(this.clock.now() / 1000);
    for (const s of this.sessions()) {
      for (const [reqId, sub] of s.marketData) {
        if (sub.conId !== conId || sub.silent) continue;
        const type = sub.forcedType ?? s.marketDataType;
        if (isFrozen(type)) continue;
        for (const m of quoteTicks(reqId, type, q, now, false)) s.send(m);
      }
      for (const [reqId, sub] of s.tickByTick) if (sub.conId === conId) s.send(tickByTick(reqId, sub.tickType, q, now, c.primaryExchange ?? c.exchange, c.minTick));
      for (const [reqId, sub] of s.depth) if (sub.conId === conId) for (const m of depthBook(reqId, sub.rows, sub.smartDepth, q, c.minTick, 1)) s.send(m);
    }
  }

  /** Closes one real-time bar per subscribed contract and sends it; bar times advance 5 s per bar like IB's. */
  realTimeBars(): void {
    if (this.paused()) return;
    const windows = new Map<number, ReturnType<MarketSimulator['takeWindow']>>();
    for (const s of this.sessions()) {
      for (const [reqId, sub] of s.realTimeBars) {
        let w = windows.get(sub.conId);
        if (!w) {
          w = this.market.takeWindow(sub.conId);
          windows.set(sub.conId, w);
        }
        const wap = Number(((w.high + w.low + w.close) / 3).toFixed(6));
        s.send(out.realTimeBar(reqId, { time: sub.nextBarSec, open: w.open, high: w.high, low: w.low, close: w.close, volume: w.volume, wap, count: w.count }));
        sub.nextBarSec += 5;
      }
      for (const [reqId, sub] of s.historicalUpdates) {
        const c = this.registry.get(sub.conId);
        if (!c) continue;
        s.send(out.historicalDataUpdate(reqId, sub.barCount, this.barInProgress(sub.conId, sub.barSec, sub.formatDate)));
      }
    }
  }

  /** The bar of a keepUpToDate request that contains now, from the simulated last price. */
  private barInProgress(conId: number, barSec: number, formatDate: number): out.WireBar {
    const q = this.market.quote(conId);
    const startMs = Math.floor(this.clock.now() / (barSec * 1000)) * barSec * 1000;
    const time = formatDate === 2 ? Math.floor(startMs / 1000) : barSec >= 86_400 ? formatTwsDay(startMs) : formatTwsTime(startMs);
    const high = Math.max(q.windowHigh, q.last);
    const low = Math.min(q.windowLow, q.last);
    return { time, open: q.windowOpen, high, low, close: q.last, volume: q.windowVolume, wap: Number(((high + low + q.last) / 3).toFixed(6)), count: q.windowCount };
  }
}
