import type { CommissionReport, Contract, Execution } from '@stoqey/ib';
import type { Fill, UnixNanos } from '@ttquant/domain';
import type { AdapterLogger } from '@ttquant/gateway-api';

const NANOS_PER_SECOND = 1_000_000_000n;
const COMMISSION_CACHE_LIMIT = 10_000;
const EMITTED_LIMIT = 100_000;

/** What {@link IbFillMatcher} needs from the execution client. */
export interface IbFillMatcherOptions {
  /** How long a fill waits for its commission report before the execution is asked for again. */
  readonly commissionWaitMs: number;
  /** How many times the execution is asked for again before the fill goes out without commission. */
  readonly maxRequeries: number;
  readonly logger?: AdapterLogger;
  /** The domain fill of an execution with its commission report (undefined: given up). */
  toFill(execution: Execution, contract: Contract, commission: CommissionReport | undefined, receivedAt: UnixNanos): Fill;
  /** Hands a complete fill on; called once per execId. */
  emit(fill: Fill, commission: CommissionReport | undefined, execution: Execution): void;
  /**
   * Asks IB for the executions since `since` again (TWS sends their commission
   * reports with them). Returns false when no session is ready: the wait then
   * goes on without counting an attempt.
   */
  requery(since: UnixNanos): boolean;
}

interface PendingFill {
  readonly execution: Execution;
  readonly contract: Contract;
  readonly receivedAt: UnixNanos;
  readonly eventTime: UnixNanos;
  attempts: number;
  timer: NodeJS.Timeout;
}

/**
 * Pairs IB executions with their commission reports (by execId) and hands each
 * fill on once, complete. A fill whose report is late is held, not sent with
 * commission 0: the rest of the system stores fills once and computes realised
 * PnL from them, so a commission must travel with its fill. After each
 * `commissionWaitMs` without the report the execution is asked for again (TWS
 * answers with execDetails and commissionReport); only after `maxRequeries`
 * such attempts in a live session does the fill go out without commission, with
 * an error naming it. Held fills survive a dropped link: the reconciliation's
 * executions query completes them.
 */
export class IbFillMatcher {
  private readonly commissions = new Map<string, CommissionReport>();
  private readonly pending = new Map<string, PendingFill>();
  /** Execution ids handed on, by their base (the id without its correction suffix). */
  private readonly emitted = new Map<string, string>();
  private readonly givenUp = new Set<string>();
  private waiters: (() => void)[] = [];

  constructor(private readonly options: IbFillMatcherOptions) {}

  /** Executions IB corrected after their fill was emitted (reported, not applied). */
  corrections = 0;

  /** Fills held for their commission. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** True when the execution was handed on already or waits for its commission. */
  knows(execId: string): boolean {
    return this.emitted.get(baseOf(execId)) === execId || this.pending.has(execId);
  }

  /** The commission report of an execution, when it came. */
  commissionOf(execId: string): CommissionReport | undefined {
    return this.commissions.get(execId);
  }

  /** The time of the oldest held fill: a reconciliation asks for executions from there. */
  earliestPending(): UnixNanos | undefined {
    let earliest: UnixNanos | undefined;
    for (const p of this.pending.values()) if (earliest === undefined || p.eventTime < earliest) earliest = p.eventTime;
    return earliest;
  }

  /** An execution (live or from a query): handed on now when its commission is known, else held for it. */
  offer(execution: Execution, contract: Contract, receivedAt: UnixNanos): void {
    const execId = execution.execId ?? '';
    if (execId === '' || this.knows(execId)) return;
    const corrected = this.emitted.get(baseOf(execId));
    if (corrected !== undefined) {
      // IB corrects an execution by sending it again with the last part of its id raised: not a new fill.
      this.options.logger?.error(
        { execId, corrects: corrected, shares: execution.shares, price: execution.price },
        'IB corrected an execution already emitted; the fill stored for it is not changed',
      );
      this.corrections += 1;
      return;
    }
    const commission = this.commissions.get(execId);
    if (commission !== undefined || this.options.commissionWaitMs === 0) {
      this.hand(execId, this.options.toFill(execution, contract, commission, receivedAt), commission, execution);
      return;
    }
    const eventTime = this.options.toFill(execution, contract, undefined, receivedAt).eventTime;
    const entry: PendingFill = { execution, contract, receivedAt, eventTime, attempts: 0, timer: this.schedule(execId) };
    this.pending.set(execId, entry);
  }

  /** A commission report: completes its held fill, or is kept for the execution that follows. */
  onCommission(report: CommissionReport): void {
    const execId = report.execId ?? '';
    if (execId === '') return;
    this.commissions.set(execId, report);
    if (this.commissions.size > COMMISSION_CACHE_LIMIT) {
      const oldest = this.commissions.keys().next().value;
      if (oldest !== undefined) this.commissions.delete(oldest);
    }
    const held = this.pending.get(execId);
    if (held) {
      clearTimeout(held.timer);
      this.pending.delete(execId);
      this.hand(execId, this.options.toFill(held.execution, held.contract, report, held.receivedAt), report, held.execution);
    } else if (this.givenUp.delete(execId)) {
      this.options.logger?.error(
        { execId, commission: report.commission },
        'IB commission report arrived after its fill went out without commission; the stored fill lacks it',
      );
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once every execId has its commission report, or after `timeoutMs`. */
  async waitForCommissions(execIds: readonly string[], timeoutMs = this.options.commissionWaitMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (execIds.some((id) => id !== '' && !this.commissions.has(id)) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Drops every held fill (the client disconnects for good); returns their execIds. */
  clear(): string[] {
    const dropped = [...this.pending.keys()];
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    return dropped;
  }

  private schedule(execId: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.onLate(execId), this.options.commissionWaitMs);
    timer.unref?.();
    return timer;
  }

  private onLate(execId: string): void {
    const held = this.pending.get(execId);
    if (!held) return;
    if (held.attempts >= this.options.maxRequeries) {
      this.pending.delete(execId);
      this.givenUp.add(execId);
      this.options.logger?.error(
        { execId, attempts: held.attempts },
        'IB sent no commission report for an execution even when asked again; fill emitted with commission 0',
      );
      this.hand(execId, this.options.toFill(held.execution, held.contract, undefined, held.receivedAt), undefined, held.execution);
      return;
    }
    // IB's execution filter has whole seconds: ask from the second before.
    if (this.options.requery(held.eventTime - NANOS_PER_SECOND)) {
      held.attempts += 1;
      this.options.logger?.warn({ execId, attempt: held.attempts }, 'IB commission report late; asking for the execution again');
    }
    held.timer = this.schedule(execId);
  }

  private hand(execId: string, fill: Fill, commission: CommissionReport | undefined, execution: Execution): void {
    this.emitted.set(baseOf(execId), execId);
    if (this.emitted.size > EMITTED_LIMIT) {
      // Old ids fall outside every later executions query (they start after the last fill emitted).
      const oldest = this.emitted.keys().next().value;
      if (oldest !== undefined) this.emitted.delete(oldest);
    }
    this.options.emit(fill, commission, execution);
  }
}

/** An execution id without its last part, which IB raises to correct an execution (`….01.01` → `….01.02`). */
function baseOf(execId: string): string {
  const dot = execId.lastIndexOf('.');
  return dot > 0 ? execId.slice(0, dot) : execId;
}
