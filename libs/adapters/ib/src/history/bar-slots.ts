import type { InstrumentId } from '@ttquant/domain';
import { missingRanges, type HistoryStore, type TimeRange } from '@ttquant/gateway-api';
import type { IbBarSize } from './bar-sizes';
import type { TradingCalendar, TradingSession } from './trading-calendar';

const NANOS_PER_MS = 1_000_000n;
const DAY_MS = 86_400_000;

/** One bar IB would have: where it starts and ends. */
export interface BarSlot {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * The bars a session holds, keyed like storage keys them: intraday bars by
 * their clock bucket (a multiple of the bar length since the epoch, so IB's
 * first hourly bar of a 09:30 session is the 09:00 bucket), a daily bar by its
 * session's date at 00:00 UTC. Regular keys are what lets the store's
 * "runs of consecutive bars" coverage say exactly which bars are there.
 */
export function barSlots(calendar: TradingCalendar, session: TradingSession, size: IbBarSize): BarSlot[] {
  if (size.daily) {
    const midnight = Date.parse(`${session.day}T00:00:00Z`);
    return [{ startMs: midnight, endMs: midnight + DAY_MS }];
  }
  const full = calendar.session(session.day) ?? session;
  const stepMs = size.seconds * 1000;
  const slots: BarSlot[] = [];
  for (let start = Math.floor(full.fromMs / stepMs) * stepMs; start < full.toMs; start += stepMs) {
    // A bucket belongs to the clipped session when trading in it starts inside the clip.
    const tradingFrom = Math.max(start, full.fromMs);
    if (tradingFrom >= session.fromMs && tradingFrom < session.toMs) slots.push({ startMs: start, endMs: start + stepMs });
  }
  return slots;
}

/** Starts of the slots that begin inside a gap; both lists are in time order, so one pass does. */
export function missingSlotStarts(slots: readonly BarSlot[], gaps: readonly TimeRange[]): Set<number> {
  const missing = new Set<number>();
  let g = 0;
  for (const slot of slots) {
    const start = BigInt(slot.startMs) * NANOS_PER_MS;
    while (g < gaps.length && (gaps[g] as TimeRange).to <= start) g++;
    const gap = gaps[g];
    if (gap && start >= gap.from && start < gap.to) missing.add(slot.startMs);
  }
  return missing;
}

/** A session with the bars it holds. */
export interface SessionSlots {
  readonly session: TradingSession;
  readonly slots: readonly BarSlot[];
}

/** A session with the bars it holds and, of those, the ones not stored. */
export interface SessionGaps extends SessionSlots {
  readonly missing: readonly BarSlot[];
}

/** Sessions of `[fromMs, toMs)` with their bars, leaving out bars not finished at `nowMs`. */
export function sessionSlots(calendar: TradingCalendar, size: IbBarSize, fromMs: number, toMs: number, nowMs: number): SessionSlots[] {
  return calendar.sessions(fromMs, toMs).map((session) => ({
    session,
    slots: barSlots(calendar, session, size).filter((slot) => slot.endMs <= nowMs),
  }));
}

/** Asks the store which of the sessions' bars one instrument already has. */
export async function sessionGaps(
  store: HistoryStore,
  instrument: InstrumentId,
  size: IbBarSize,
  days: readonly SessionSlots[],
): Promise<SessionGaps[]> {
  const all = days.flatMap((d) => d.slots);
  if (all.length === 0) return days.map((d) => ({ ...d, missing: [] }));
  const range: TimeRange = {
    from: BigInt((all[0] as BarSlot).startMs) * NANOS_PER_MS,
    to: BigInt((all[all.length - 1] as BarSlot).endMs) * NANOS_PER_MS,
  };
  const missing = missingSlotStarts(all, missingRanges(range, await store.coverage(instrument, size.seconds, range)));
  return days.map((d) => ({ ...d, missing: d.slots.filter((slot) => missing.has(slot.startMs)) }));
}
