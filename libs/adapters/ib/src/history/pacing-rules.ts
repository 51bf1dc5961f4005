import type { IbBarRequest } from '../history-source';

/**
 * IB's historical-data pacing limits. A request that breaks one of them is
 * answered with error 162 and, repeated, gets the client disconnected, so the
 * backfill never relies on 162 as a signal: it computes when a request may go.
 */
export interface PacingRules {
  /** No identical request within this many milliseconds (IB: 15 s). */
  readonly identicalWindowMs: number;
  /** Window of the per contract/exchange/tick-type burst rule (IB: 2 s). */
  readonly burstWindowMs: number;
  /** Requests allowed for one contract/exchange/tick type within the burst window (IB: 5; the sixth violates). */
  readonly burstMax: number;
  /** Window of the overall rule (IB: 10 minutes). */
  readonly globalWindowMs: number;
  /** Requests allowed within the overall window (IB: 60). */
  readonly globalMax: number;
  /**
   * Added to every window. IB measures when it receives a request, which is
   * later than when the pacer released it by a varying network delay; a
   * margin keeps jitter from turning a legal schedule into a violation.
   */
  readonly marginMs: number;
}

/** IB's published limits, with no margin (a shared simulated clock needs none). */
export const IB_PACING_RULES: PacingRules = {
  identicalWindowMs: 15_000,
  burstWindowMs: 2_000,
  burstMax: 5,
  globalWindowMs: 600_000,
  globalMax: 60,
  marginMs: 0,
};

/**
 * A margin for a real TWS or IB Gateway: a second more on every window covers
 * network and client-throttle delays between release and receipt, at a cost of
 * well under 1% of throughput on the ten-minute rule.
 */
export const REAL_GATEWAY_MARGIN_MS = 1_000;

/** What the rules look at in a request: its full identity and its burst group. */
export interface PacingKey {
  /** Equal for requests IB considers identical. */
  readonly identity: string;
  /** Equal for requests of the same contract, exchange and tick type. */
  readonly burstKey: string;
}

/** A request the pacer released, at the time it released it. */
export interface PacedSend extends PacingKey {
  readonly atMs: number;
}

/** The pacing key of a bars request. */
export function pacingKey(request: IbBarRequest): PacingKey {
  const { contract } = request;
  // conId alone names a contract at IB; the symbol keeps unresolved (conId 0) contracts apart.
  const burstKey = [contract.conId, contract.symbol, contract.secType, contract.exchange, request.whatToShow].join('|');
  const identity = [burstKey, request.endDateTime, request.duration, request.barSize, request.useRth ? 1 : 0].join('|');
  return { identity, burstKey };
}

/**
 * Checks that the rules are usable: positive windows and limits.
 * @throws RangeError naming the field and the value found
 */
export function validatePacingRules(rules: PacingRules): PacingRules {
  const positive: (keyof PacingRules)[] = ['identicalWindowMs', 'burstWindowMs', 'burstMax', 'globalWindowMs', 'globalMax'];
  for (const field of positive) {
    const value = rules[field];
    if (!Number.isInteger(value) || value <= 0) {
      throw new RangeError(`expected pacing rule ${field} to be a positive whole number, was ${value}`);
    }
  }
  if (!Number.isInteger(rules.marginMs) || rules.marginMs < 0) {
    throw new RangeError(`expected pacing rule marginMs to be a whole number >= 0, was ${rules.marginMs}`);
  }
  return rules;
}

/**
 * The earliest time at or after `nowMs` when a request with `key` may be sent
 * without breaking any rule, given the requests already sent.
 *
 * Windows are taken as closed: a request sent exactly one window after an
 * earlier one still counts as inside it. That is the stricter reading of IB's
 * wording, so a schedule legal here is legal under either reading.
 *
 * Each rule only ever asks for "later than some earlier send", so the answer is
 * the largest of those bounds and stays valid as time passes.
 */
export function earliestSendTime(sent: readonly PacedSend[], key: PacingKey, nowMs: number, rules: PacingRules): number {
  let earliest = nowMs;
  const identical = rules.identicalWindowMs + rules.marginMs;
  const burstTimes: number[] = [];
  const allTimes: number[] = [];
  for (const send of sent) {
    allTimes.push(send.atMs);
    if (send.burstKey === key.burstKey) burstTimes.push(send.atMs);
    if (send.identity === key.identity) earliest = Math.max(earliest, send.atMs + identical + 1);
  }
  earliest = Math.max(earliest, windowBound(burstTimes, rules.burstMax, rules.burstWindowMs + rules.marginMs));
  earliest = Math.max(earliest, windowBound(allTimes, rules.globalMax, rules.globalWindowMs + rules.marginMs));
  return earliest;
}

/**
 * With `max` allowed per window, a new request needs the `max`-th most recent
 * earlier one to have left the window: it may go one millisecond after that
 * send plus the window.
 */
function windowBound(times: number[], max: number, windowMs: number): number {
  if (times.length < max) return Number.NEGATIVE_INFINITY;
  times.sort((a, b) => a - b);
  const blocking = times[times.length - max] as number;
  return blocking + windowMs + 1;
}

/** The longest a send can matter to any rule: older sends can be forgotten. */
export function pacingMemoryMs(rules: PacingRules): number {
  return Math.max(rules.identicalWindowMs, rules.burstWindowMs, rules.globalWindowMs) + rules.marginMs + 1;
}
