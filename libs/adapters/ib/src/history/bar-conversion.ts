import { Decimal, millisToNanos, type Bar, type InstrumentId, type UnixNanos } from '@ttquant/domain';
import type { IbHistoricalBar } from '../history-source';
import type { IbBarSize } from './bar-sizes';

/** Thrown for a bar from IB that cannot be stored as it is. */
export class HistoricalBarError extends Error {
  override readonly name = 'HistoricalBarError';
}

const DAY_MS = 86_400_000;

/**
 * Converts one IB historical bar to a domain bar, once, at the edge.
 *
 * Bars are keyed by their clock bucket: an intraday bar's start is rounded
 * down to a multiple of its length (IB stamps the first hourly bar of a 09:30
 * session 09:30; it is stored as the 09:00 bucket it trades in), and a daily
 * bar is stamped with its date at 00:00 UTC whatever time of day the source
 * attached to IB's `yyyyMMdd`. So the same bar always has the same key and
 * storage coverage stays exact. IB sends -1 for "no volume" and "no count" (MIDPOINT, BID, ASK):
 * those become 0. `wap` has no place in a domain bar and is dropped.
 *
 * @throws HistoricalBarError when a price or the time is not a finite number,
 *   or high/low do not enclose open and close
 */
export function toDomainBar(instrument: InstrumentId, size: IbBarSize, bar: IbHistoricalBar, initTime: UnixNanos): Bar {
  if (!Number.isFinite(bar.timeMs)) throw new HistoricalBarError(`expected a bar time in epoch milliseconds, was ${bar.timeMs}`);
  for (const field of ['open', 'high', 'low', 'close'] as const) {
    if (!Number.isFinite(bar[field])) {
      throw new HistoricalBarError(`expected a finite ${field} price in the bar at ${isoOf(bar.timeMs)}, was ${bar[field]}`);
    }
  }
  if (bar.high < Math.max(bar.open, bar.close, bar.low) || bar.low > Math.min(bar.open, bar.close)) {
    throw new HistoricalBarError(
      `expected low <= open, close <= high in the bar at ${isoOf(bar.timeMs)}, was o=${bar.open} h=${bar.high} l=${bar.low} c=${bar.close}`,
    );
  }
  const stepMs = size.daily ? DAY_MS : size.seconds * 1000;
  const startMs = Math.floor(bar.timeMs / stepMs) * stepMs;
  const startTime = millisToNanos(startMs);
  return {
    kind: 'bar',
    instrument,
    // Historical bars are final venue data, not delayed or frozen quotes.
    quality: 'REALTIME',
    eventTime: startTime + BigInt(size.seconds) * 1_000_000_000n,
    initTime,
    intervalSeconds: size.seconds,
    startTime,
    open: Decimal.fromNumber(bar.open),
    high: Decimal.fromNumber(bar.high),
    low: Decimal.fromNumber(bar.low),
    close: Decimal.fromNumber(bar.close),
    volume: Number.isFinite(bar.volume) && bar.volume > 0 ? Decimal.fromNumber(bar.volume) : Decimal.ZERO,
    tradeCount: Number.isInteger(bar.count) && bar.count > 0 ? bar.count : 0,
  };
}

function isoOf(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
