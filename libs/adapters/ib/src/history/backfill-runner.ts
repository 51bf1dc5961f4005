import { instrumentKey, millisToNanos, type Bar } from '@ttquant/domain';
import type { HistoryStore } from '@ttquant/gateway-api';
import type { IbBarRequest, IbHistoricalBar, IbHistorySource } from '../history-source';
import type { BackfillPlan, PlannedRequest } from './backfill-plan';
import { toDomainBar } from './bar-conversion';
import { completenessReport, type CompletenessReport } from './completeness-report';
import { classifyHistoryError, describeHistoryError, type HistoryFailureKind } from './history-errors';
import type { HistoryPacer } from './history-pacer';
import type { HistoryClock, Sleep } from './history-timing';

/** Options of a {@link BackfillRunner}. */
export interface BackfillRunnerOptions {
  readonly source: IbHistorySource;
  readonly store: HistoryStore;
  /** Every request goes through it; share one pacer per IB connection. */
  readonly pacer: HistoryPacer;
  readonly clock: HistoryClock;
  readonly sleep: Sleep;
  /** Requests in flight at once (default 1; a crash loses at most this many). */
  readonly concurrency?: number;
  /**
   * Attempts of a request failing with network errors, the first included
   * (default 6: with the default backoff they span about a minute, long enough
   * for the connection to come back after a gateway restart).
   */
  readonly networkAttempts?: number;
  /** First backoff after a network or store error, doubled each time (default 2 s). */
  readonly retryBaseMs?: number;
  /** Longest backoff (default 60 s). */
  readonly retryMaxMs?: number;
  /** Pause after a 162 before the one retry (default 60 s). */
  readonly pacingBackoffMs?: number;
  /** Progress and trouble, for a progress bar and logs. */
  readonly onEvent?: (event: BackfillEvent) => void;
}

/** Where a request of a run stands. */
export interface BackfillPosition {
  readonly symbol: string;
  /** Local date of the (first) session of the request. */
  readonly day: string;
}

/** What a run reports while it goes. */
export type BackfillEvent =
  | (BackfillPosition & {
      /** A request is next: it now waits for pacing, then goes to IB. */
      readonly kind: 'request';
      /** Requests finished before this one. */
      readonly done: number;
      readonly total: number;
    })
  | (BackfillPosition & {
      readonly kind: 'progress';
      /** Requests finished, whatever their outcome. */
      readonly done: number;
      readonly total: number;
      readonly failed: number;
      /** Bars written so far. */
      readonly bars: number;
      readonly outcome: RequestStatus;
    })
  | (BackfillPosition & {
      readonly kind: 'retry';
      readonly reason: 'pacing' | 'network' | 'store';
      /** The attempt about to be made (2 for the first retry). */
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: string;
    });

/** How one request ended. */
export type RequestStatus = 'stored' | 'no-data' | 'unknown-symbol' | 'failed' | 'skipped';

/** One request's outcome, kept in the result when it did not store bars. */
export interface RequestOutcome extends BackfillPosition {
  readonly request: IbBarRequest;
  readonly status: RequestStatus;
  readonly bars: number;
  readonly attempts: number;
  readonly error?: string;
}

/** The end of a run. */
export interface BackfillResult {
  /** Requests in the plan. */
  readonly total: number;
  /** Requests finished (stored, no data, skipped or failed); less than total when stopped. */
  readonly done: number;
  readonly barsWritten: number;
  /** Bars IB sent that could not be stored (bad time or prices). */
  readonly barsRejected: number;
  /** Bars IB sent around the window asked for, not stored (a `1 D` request may bring more than the session). */
  readonly barsOutsideWindow: number;
  /** Requests that came back with no bars, and why. */
  readonly noData: readonly RequestOutcome[];
  /** Requests that failed for good, or were skipped because their symbol is unknown. */
  readonly failed: readonly RequestOutcome[];
  /** Symbols IB did not know (error 200). */
  readonly unknownSymbols: readonly string[];
  /** 162 answers: each one means the pacer let through something IB refused. */
  readonly pacingViolations: number;
  readonly retries: number;
  /** True when the run was stopped before finishing the plan. */
  readonly stopped: boolean;
  /** Expected against stored bars per symbol and day, from the store after the run. */
  readonly completeness: CompletenessReport;
}

/** Thrown for runner options that cannot work. */
export class BackfillRunnerError extends Error {
  override readonly name = 'BackfillRunnerError';
}

/** The request was abandoned because the run is stopping. */
class Stopped extends Error {
  override readonly name = 'Stopped';
}

interface RunState {
  readonly plan: BackfillPlan;
  readonly signal: AbortSignal | undefined;
  readonly queue: PlannedRequest[];
  readonly unknown: Set<string>;
  readonly noData: RequestOutcome[];
  readonly failed: RequestOutcome[];
  done: number;
  bars: number;
  rejected: number;
  outside: number;
  violations: number;
  retries: number;
}

/**
 * Runs a backfill plan against an IB history source: every request through
 * the pacer, bars written through the store as soon as each request completes
 * (so a crash loses at most the requests in flight, and the next plan, made
 * from what is stored, asks only for the rest), progress reported as it goes,
 * and a completeness report at the end.
 *
 * Stopping (through the signal) lets requests in flight finish and be written,
 * and starts no new one.
 *
 * @example
 * const runner = new BackfillRunner({ source, store, pacer, clock: systemHistoryClock, sleep: realSleep, onEvent: draw });
 * const result = await runner.run(await planBackfill(spec, store, Date.now()), controller.signal);
 */
export class BackfillRunner {
  private readonly concurrency: number;
  private readonly networkAttempts: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly pacingBackoffMs: number;

  /** @throws BackfillRunnerError naming the option that is out of range */
  constructor(private readonly options: BackfillRunnerOptions) {
    this.concurrency = positiveInt('concurrency', options.concurrency ?? 1);
    this.networkAttempts = positiveInt('networkAttempts', options.networkAttempts ?? 6);
    this.retryBaseMs = positiveInt('retryBaseMs', options.retryBaseMs ?? 2_000);
    this.retryMaxMs = positiveInt('retryMaxMs', options.retryMaxMs ?? 60_000);
    this.pacingBackoffMs = positiveInt('pacingBackoffMs', options.pacingBackoffMs ?? 60_000);
  }

  /** Runs `plan` to the end, or until `signal` aborts. Never rejects for a failed request: they are in the result. */
  async run(plan: BackfillPlan, signal?: AbortSignal): Promise<BackfillResult> {
    const state: RunState = {
      plan,
      signal,
      queue: [...plan.requests],
      unknown: new Set(),
      noData: [],
      failed: [],
      done: 0,
      bars: 0,
      rejected: 0,
      outside: 0,
      violations: 0,
      retries: 0,
    };
    const workers = Array.from({ length: Math.min(this.concurrency, Math.max(1, state.queue.length)) }, () => this.work(state));
    await Promise.all(workers);
    return {
      total: plan.requests.length,
      done: state.done,
      barsWritten: state.bars,
      barsRejected: state.rejected,
      barsOutsideWindow: state.outside,
      noData: state.noData,
      failed: state.failed,
      unknownSymbols: [...state.unknown],
      pacingViolations: state.violations,
      retries: state.retries,
      stopped: state.done < plan.requests.length,
      completeness: await completenessReport(plan.spec, this.options.store, this.options.clock.now()),
    };
  }

  private async work(state: RunState): Promise<void> {
    for (;;) {
      if (state.signal?.aborted) return;
      const planned = state.queue.shift();
      if (!planned) return;
      let outcome: RequestOutcome;
      try {
        outcome = await this.execute(state, planned);
      } catch (error) {
        if (error instanceof Stopped || state.signal?.aborted) return;
        throw error;
      }
      state.done++;
      if (outcome.status === 'no-data') state.noData.push(outcome);
      if (outcome.status === 'failed' || outcome.status === 'skipped' || outcome.status === 'unknown-symbol') state.failed.push(outcome);
      this.options.onEvent?.({
        kind: 'progress',
        symbol: outcome.symbol,
        day: outcome.day,
        done: state.done,
        total: state.plan.requests.length,
        failed: state.failed.length,
        bars: state.bars,
        outcome: outcome.status,
      });
    }
  }

  private async execute(state: RunState, planned: PlannedRequest): Promise<RequestOutcome> {
    const key = instrumentKey(planned.symbol.instrument);
    const base = { symbol: planned.symbol.instrument.symbol, day: planned.day, request: planned.request };
    if (state.unknown.has(key)) return { ...base, status: 'skipped', bars: 0, attempts: 0, error: 'symbol unknown to IB (200)' };
    this.options.onEvent?.({ kind: 'request', symbol: base.symbol, day: base.day, done: state.done, total: state.plan.requests.length });
    let attempts = 0;
    let networkFailures = 0;
    let pacingRetried = false;
    for (;;) {
      await this.pace(planned.request, state.signal);
      attempts++;
      let ibBars: IbHistoricalBar[];
      try {
        ibBars = await this.options.source.requestBars(planned.request);
      } catch (error) {
        const kind: HistoryFailureKind = classifyHistoryError(error);
        const text = describeHistoryError(error);
        if (kind === 'pacing') {
          state.violations++;
          if (!pacingRetried) {
            pacingRetried = true;
            await this.backoff(state, base, 'pacing', attempts + 1, this.pacingBackoffMs, text);
            continue;
          }
          return { ...base, status: 'failed', bars: 0, attempts, error: text };
        }
        if (kind === 'network') {
          networkFailures++;
          if (networkFailures < this.networkAttempts) {
            await this.backoff(state, base, 'network', attempts + 1, this.delay(networkFailures), text);
            continue;
          }
          return { ...base, status: 'failed', bars: 0, attempts, error: text };
        }
        if (kind === 'unknown-symbol') {
          state.unknown.add(key);
          return { ...base, status: 'unknown-symbol', bars: 0, attempts, error: text };
        }
        return { ...base, status: kind === 'no-data' ? 'no-data' : 'failed', bars: 0, attempts, error: text };
      }
      const bars = this.toBars(state, planned, ibBars);
      if (bars.length === 0) {
        return { ...base, status: 'no-data', bars: 0, attempts, error: ibBars.length === 0 ? 'IB sent no bars' : 'IB sent no usable bars in the window' };
      }
      const written = await this.write(state, base, bars);
      if (written === undefined) return { ...base, status: 'failed', bars: 0, attempts, error: 'store kept failing' };
      return { ...base, status: 'stored', bars: bars.length, attempts };
    }
  }

  private async pace(request: IbBarRequest, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.options.pacer.acquire(request, signal);
    } catch (error) {
      if (signal?.aborted) throw new Stopped('backfill stopped while waiting for pacing');
      throw error;
    }
  }

  /** Domain bars inside the window asked for, one per start time. */
  private toBars(state: RunState, planned: PlannedRequest, ibBars: readonly IbHistoricalBar[]): Bar[] {
    const initTime = millisToNanos(this.options.clock.now());
    const from = millisToNanos(planned.fromMs);
    const to = millisToNanos(planned.toMs);
    const byStart = new Map<bigint, Bar>();
    for (const ibBar of ibBars) {
      let bar: Bar;
      try {
        bar = toDomainBar(planned.symbol.instrument, state.plan.barSize, ibBar, initTime);
      } catch {
        state.rejected++;
        continue;
      }
      // IB may answer a window with bars around it: only what was asked for is stored.
      if (bar.startTime < from || bar.startTime >= to) {
        state.outside++;
        continue;
      }
      byStart.set(bar.startTime, bar);
    }
    return [...byStart.values()];
  }

  /** Writes with retries; `undefined` when the store kept failing. */
  private async write(state: RunState, base: BackfillPosition, bars: readonly Bar[]): Promise<number | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.store.writeBars(bars);
        state.bars += bars.length;
        return bars.length;
      } catch (error) {
        if (attempt >= this.networkAttempts) return undefined;
        // The bars are in hand: waiting for the store costs no IB request.
        await this.backoff(state, base, 'store', attempt + 1, this.delay(attempt), describeHistoryError(error), true);
      }
    }
  }

  private async backoff(
    state: RunState,
    position: BackfillPosition,
    reason: 'pacing' | 'network' | 'store',
    attempt: number,
    delayMs: number,
    error: string,
    finishEvenIfStopped = false,
  ): Promise<void> {
    state.retries++;
    this.options.onEvent?.({ kind: 'retry', symbol: position.symbol, day: position.day, reason, attempt, delayMs, error });
    // Bars already fetched are still written when the run stops; a request not yet retried is left to the next run.
    const signal = finishEvenIfStopped ? undefined : state.signal;
    try {
      await this.options.sleep(delayMs, signal);
    } catch (sleepError) {
      if (signal?.aborted) throw new Stopped('backfill stopped during a backoff');
      throw sleepError;
    }
  }

  private delay(failures: number): number {
    return Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (failures - 1));
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new BackfillRunnerError(`expected ${name} to be a positive whole number, was ${value}`);
  return value;
}
