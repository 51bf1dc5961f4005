import type { IbContractRef, IbHistoricalBar } from '../../history-source';
import type { BackfillSpec, BackfillSymbol } from '../backfill-plan';
import { TradingCalendar, US_EQUITY_RTH } from '../trading-calendar';

/** A stock symbol to backfill, for specs only. */
export function stock(symbol: string, conId: number): BackfillSymbol {
  const contract: IbContractRef = { conId, symbol, secType: 'STK', exchange: 'SMART', currency: 'USD' };
  return { instrument: { venue: 'IB', symbol }, contract };
}

/** AAPL as the specs backfill it. */
export const AAPL = stock('AAPL', 265598);
/** MSFT as the specs backfill it. */
export const MSFT = stock('MSFT', 272093);

/** A backfill of AAPL and MSFT one-minute TRADES bars in regular hours, `fromMs` to `toMs` (exclusive), for specs only. */
export function minuteTradesSpec(fromMs: number, toMs: number, calendar = new TradingCalendar(US_EQUITY_RTH)): BackfillSpec {
  return { symbols: [AAPL, MSFT], fromMs, toMs, barSize: '1 min', whatToShow: 'TRADES', useRth: true, calendar };
}

/** A plausible IB bar starting at `timeMs`, its prices derived from the time so they differ bar to bar. */
export function ibBar(timeMs: number): IbHistoricalBar {
  const base = 100 + ((timeMs / 60_000) % 50) / 10;
  return { timeMs, open: base, high: base + 0.2, low: base - 0.1, close: base + 0.1, volume: 1200, wap: base + 0.05, count: 17 };
}

/** One-minute IB bars from `fromMs` (inclusive) to `toMs` (exclusive). */
export function minuteBars(fromMs: number, toMs: number): IbHistoricalBar[] {
  const out: IbHistoricalBar[] = [];
  for (let t = fromMs; t < toMs; t += 60_000) out.push(ibBar(t));
  return out;
}
