import type { InstrumentId } from '@ttquant/domain';
import { missingRanges, type HistoryStore, type TimeRange } from '@ttquant/gateway-api';
import type { IbBarRequest, IbContractRef } from '../history-source';
import { formatIbUtc, ibBarSize, type IbBarSize } from './bar-sizes';
import type { TradingCalendar, TradingSession } from './trading-calendar';

/** One symbol to backfill: how TTQuant names it and how IB does. */
export interface BackfillSymbol {
  readonly instrument: InstrumentId;
  readonly contract: IbContractRef;
}

/** What to backfill. */
export interface BackfillSpec {
  readonly symbols: readonly BackfillSymbol[];
  /** Start of the range, epoch milliseconds UTC. */
  readonly fromMs: number;
  /** End of the range (exclusive), epoch milliseconds UTC. */
  readonly toMs: number;
  /** IB bar size, e.g. `1 min` or `1 day`. */
  readonly barSize: string;
  readonly whatToShow: IbBarRequest['whatToShow'];
  readonly useRth: boolean;
  /** When the market trades: which bars exist to be fetched and counted. */
  readonly calendar: TradingCalendar;
}

/** One bar IB would have: where it starts and ends. */
export interface BarSlot {
  readonly startMs: number;
  readonly endMs: number;
}

/** One request of a plan, with the bars it is meant to bring. */
export interface PlannedRequest {
  readonly symbol: BackfillSymbol;
  /** Local date of the first session the window covers. */
  readonly day: string;
  /** Local date of the last session the window covers (the same as `day` for intraday bars). */
  readonly lastDay: string;
  /** First wanted bar start, epoch ms: bars before it that IB sends anyway are not stored. */
  readonly fromMs: number;
  /** End of the last wanted bar (exclusive), epoch ms. */
  readonly toMs: number;
  /** Bars the calendar expects in the window. */
  readonly expectedBars: number;
  /** Of those, bars not stored yet. */
  readonly missingBars: number;
  readonly request: IbBarRequest;
}

/** The requests a backfill still needs. */
export interface BackfillPlan {
  readonly spec: BackfillSpec;
  readonly barSize: IbBarSize;
  readonly requests: readonly PlannedRequest[];
  /** Bars the calendar expects over the whole range (all symbols). */
  readonly expectedBars: number;
  /** Of those, bars already stored (all symbols). */
  readonly storedBars: number;
}

/** Thrown for a backfill request that cannot be planned. */
export class BackfillPlanError extends Error {
  override readonly name = 'BackfillPlanError';
}

const NANOS_PER_MS = 1_000_000n;
const DAY_MS = 86_400_000;

/**
 * Plans a backfill: for each symbol, asks the store what is already there and
 * makes requests only for trading sessions with bars missing, so a backfill
 * stopped half way resumes where it stopped.
 *
 * Intraday bars: at most one request per session day, from the first missing
 * bar to the end of the last one (split further when the bar size's longest
 * window is shorter than that); a whole missing session is asked as `1 D`
 * ending at the close, a part of one in seconds. Daily bars: one request per
 * run of consecutive missing sessions, at most a year each, in days.
 * Bars still forming at `nowMs` are not planned.
 *
 * @throws BackfillPlanError for an empty or reversed range or no symbols
 */
export async function planBackfill(spec: BackfillSpec, store: HistoryStore, nowMs: number): Promise<BackfillPlan> {
  validateSpec(spec);
  const size = ibBarSize(spec.barSize);
  const sessions = spec.calendar.sessions(spec.fromMs, spec.toMs);
  const slotsByDay = sessions.map((session) => ({ session, slots: barSlots(spec.calendar, session, size).filter((s) => s.endMs <= nowMs) }));
  const allSlots = slotsByDay.flatMap((d) => d.slots);
  const requests: PlannedRequest[] = [];
  let storedBars = 0;
  if (allSlots.length === 0) return { spec, barSize: size, requests, expectedBars: 0, storedBars: 0 };
  const range: TimeRange = {
    from: BigInt((allSlots[0] as BarSlot).startMs) * NANOS_PER_MS,
    to: BigInt((allSlots[allSlots.length - 1] as BarSlot).endMs) * NANOS_PER_MS,
  };
  for (const symbol of spec.symbols) {
    const covered = await store.coverage(symbol.instrument, size.seconds, range);
    const missingStarts = missingSlotStarts(allSlots, missingRanges(range, covered));
    const missingByDay = slotsByDay.map(({ session, slots }) => ({
      session,
      slots,
      missing: slots.filter((slot) => missingStarts.has(slot.startMs)),
    }));
    for (const day of missingByDay) storedBars += day.slots.length - day.missing.length;
    requests.push(...(size.daily ? dailyRequests(spec, symbol, size, missingByDay) : intradayRequests(spec, symbol, size, missingByDay)));
  }
  return { spec, barSize: size, requests, expectedBars: allSlots.length * spec.symbols.length, storedBars };
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

interface DayMissing {
  readonly session: TradingSession;
  readonly slots: readonly BarSlot[];
  readonly missing: readonly BarSlot[];
}

function intradayRequests(spec: BackfillSpec, symbol: BackfillSymbol, size: IbBarSize, days: readonly DayMissing[]): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  const maxMs = size.maxWindowSeconds * 1000;
  for (const { session, slots, missing } of days) {
    if (missing.length === 0) continue;
    const full = spec.calendar.session(session.day);
    let first = missing[0] as BarSlot;
    const last = missing[missing.length - 1] as BarSlot;
    // Split a window longer than IB allows into pieces of whole bars.
    while (first.startMs < last.endMs) {
      const inWindow = slots.filter((s) => s.startMs >= first.startMs && s.endMs <= Math.min(last.endMs, first.startMs + maxMs));
      const end = (inWindow[inWindow.length - 1] as BarSlot).endMs;
      // IB windows are trading time: from the open at the earliest, to the close at the latest.
      const windowFrom = Math.max(first.startMs, full?.fromMs ?? first.startMs);
      const windowTo = Math.min(end, full?.toMs ?? end);
      const wholeSession = full !== undefined && windowFrom === full.fromMs && windowTo === full.toMs && size.maxWindowSeconds >= 86_400;
      const seconds = Math.ceil((windowTo - windowFrom) / 1000);
      out.push({
        symbol,
        day: session.day,
        lastDay: session.day,
        fromMs: first.startMs,
        toMs: end,
        expectedBars: inWindow.length,
        missingBars: missing.filter((s) => s.startMs >= first.startMs && s.endMs <= end).length,
        request: ibRequest(spec, symbol, windowTo, wholeSession ? '1 D' : `${seconds} S`),
      });
      const next = missing.find((s) => s.startMs >= end);
      if (!next) break;
      first = next;
    }
  }
  return out;
}

function dailyRequests(spec: BackfillSpec, symbol: BackfillSymbol, size: IbBarSize, days: readonly DayMissing[]): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  const maxDays = Math.floor(size.maxWindowSeconds / 86_400);
  let run: DayMissing[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const first = run[0] as DayMissing;
    const last = run[run.length - 1] as DayMissing;
    const fromMs = (first.slots[0] as BarSlot).startMs;
    const toMs = (last.slots[0] as BarSlot).endMs;
    out.push({
      symbol,
      day: first.session.day,
      lastDay: last.session.day,
      fromMs,
      toMs,
      expectedBars: run.length,
      missingBars: run.length,
      // Calendar days: never fewer than the sessions wanted, whether IB counts days or sessions.
      request: ibRequest(spec, symbol, last.session.toMs, `${Math.round((toMs - fromMs) / DAY_MS)} D`),
    });
    run = [];
  };
  for (const day of days) {
    if (day.slots.length === 0) continue;
    const slot = day.slots[0] as BarSlot;
    const runStart = run.length > 0 ? ((run[0] as DayMissing).slots[0] as BarSlot).startMs : slot.startMs;
    if (day.missing.length === 0) {
      flush();
      continue;
    }
    if (slot.endMs - runStart > maxDays * DAY_MS) flush();
    run.push(day);
  }
  flush();
  return out;
}

function ibRequest(spec: BackfillSpec, symbol: BackfillSymbol, endMs: number, duration: string): IbBarRequest {
  return {
    contract: symbol.contract,
    endDateTime: formatIbUtc(endMs),
    duration,
    barSize: spec.barSize,
    whatToShow: spec.whatToShow,
    useRth: spec.useRth,
  };
}

/** Starts of the slots that begin inside a gap; both lists are in time order, so one pass does. */
function missingSlotStarts(slots: readonly BarSlot[], gaps: readonly TimeRange[]): Set<number> {
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

function validateSpec(spec: BackfillSpec): void {
  if (!Number.isFinite(spec.fromMs) || !Number.isFinite(spec.toMs) || spec.toMs <= spec.fromMs) {
    throw new BackfillPlanError(`expected a range with from before to, was ${isoOrValue(spec.fromMs)} – ${isoOrValue(spec.toMs)}`);
  }
  if (spec.symbols.length === 0) throw new BackfillPlanError('expected at least one symbol to backfill, was none');
}

function isoOrValue(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
