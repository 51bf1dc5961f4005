import type { InstrumentId } from '@ttquant/domain';
import type { HistoryStore } from '@ttquant/gateway-api';
import type { IbBarRequest, IbContractRef } from '../history-source';
import { ibEndDateTime, ibBarSize, type IbBarSize } from './bar-sizes';
import { sessionGaps, sessionSlots, type BarSlot, type SessionGaps } from './bar-slots';
import type { TradingCalendar } from './trading-calendar';

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
  /**
   * Intraday bars a session may lack and still count as fetched (default 0).
   * IB sends no bar for a minute without trades, so an illiquid symbol's
   * sessions always have holes; without a tolerance every resumed backfill
   * asks for those sessions again. A session with nothing stored is always asked.
   */
  readonly toleratedMissingBars?: number;
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
  const days = sessionSlots(spec.calendar, size, spec.fromMs, spec.toMs, nowMs);
  const expectedPerSymbol = days.reduce((sum, d) => sum + d.slots.length, 0);
  const requests: PlannedRequest[] = [];
  let storedBars = 0;
  if (expectedPerSymbol === 0) return { spec, barSize: size, requests, expectedBars: 0, storedBars: 0 };
  for (const symbol of spec.symbols) {
    const gaps = await sessionGaps(store, symbol.instrument, size, days);
    for (const day of gaps) storedBars += day.slots.length - day.missing.length;
    requests.push(...(size.daily ? dailyRequests(spec, symbol, size, gaps) : intradayRequests(spec, symbol, size, gaps)));
  }
  return { spec, barSize: size, requests, expectedBars: expectedPerSymbol * spec.symbols.length, storedBars };
}

function intradayRequests(spec: BackfillSpec, symbol: BackfillSymbol, size: IbBarSize, days: readonly SessionGaps[]): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  const maxMs = size.maxWindowSeconds * 1000;
  const tolerated = spec.toleratedMissingBars ?? 0;
  for (const { session, slots, missing } of days) {
    if (missing.length === 0 || (missing.length <= tolerated && missing.length < slots.length)) continue;
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

function dailyRequests(spec: BackfillSpec, symbol: BackfillSymbol, size: IbBarSize, days: readonly SessionGaps[]): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  const maxDays = Math.floor(size.maxWindowSeconds / 86_400);
  let run: SessionGaps[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const first = run[0] as SessionGaps;
    const last = run[run.length - 1] as SessionGaps;
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
    const runStart = run.length > 0 ? ((run[0] as SessionGaps).slots[0] as BarSlot).startMs : slot.startMs;
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
    endDateTime: ibEndDateTime(endMs),
    duration,
    barSize: spec.barSize,
    whatToShow: spec.whatToShow,
    useRth: spec.useRth,
  };
}

function validateSpec(spec: BackfillSpec): void {
  if (!Number.isFinite(spec.fromMs) || !Number.isFinite(spec.toMs) || spec.toMs <= spec.fromMs) {
    throw new BackfillPlanError(`expected a range with from before to, was ${isoOrValue(spec.fromMs)} – ${isoOrValue(spec.toMs)}`);
  }
  if (spec.symbols.length === 0) throw new BackfillPlanError('expected at least one symbol to backfill, was none');
  const tolerated = spec.toleratedMissingBars ?? 0;
  if (!Number.isInteger(tolerated) || tolerated < 0) {
    throw new BackfillPlanError(`expected toleratedMissingBars to be a whole number >= 0, was ${tolerated}`);
  }
}

function isoOrValue(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
