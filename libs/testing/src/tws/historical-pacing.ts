import type { FakeTwsClock } from './fake-clock';

/** What makes two historical requests "the same" for IB's pacing rules. */
export interface PacingRequest {
  /** conId, or symbol when the request carried no conId. */
  contractKey: string;
  exchange: string;
  whatToShow: string;
  endDateTime: string;
  barSize: string;
  duration: string;
  useRth: boolean;
}

/** IB's published historical-data pacing limits. */
export const PACING_RULES = {
  identicalWindowMs: 15_000,
  sameContractWindowMs: 2_000,
  sameContractMax: 5,
  globalWindowMs: 600_000,
  globalMax: 60,
} as const;

interface Accepted {
  atMs: number;
  identity: string;
  contract: string;
}

/**
 * Enforces IB's historical pacing rules against an injected clock: no identical request within 15 s,
 * at most 5 requests for the same contract/exchange/tick type in any 2 s, at most 60 in any 10 minutes.
 * Only served requests count towards the windows; a refused one costs nothing.
 */
export class HistoricalPacer {
  private accepted: Accepted[] = [];

  constructor(private readonly clock: FakeTwsClock) {}

  /** Returns why the request violates pacing, or undefined after recording it as served. */
  admit(request: PacingRequest): string | undefined {
    const now = this.clock.now();
    this.accepted = this.accepted.filter((a) => now - a.atMs < PACING_RULES.globalWindowMs);
    const contract = [request.contractKey, request.exchange.toUpperCase(), request.whatToShow.toUpperCase()].join('|');
    const identity = [contract, request.endDateTime, request.barSize, request.duration, request.useRth ? 1 : 0].join('|');
    const identical = this.accepted.find((a) => a.identity === identity && now - a.atMs < PACING_RULES.identicalWindowMs);
    if (identical) return `identical request repeated after ${now - identical.atMs} ms (minimum 15000 ms)`;
    const sameContract = this.accepted.filter((a) => a.contract === contract && now - a.atMs < PACING_RULES.sameContractWindowMs).length;
    if (sameContract >= PACING_RULES.sameContractMax) {
      return `${sameContract + 1} requests for the same contract, exchange and tick type within 2 s (maximum 5)`;
    }
    if (this.accepted.length >= PACING_RULES.globalMax) return `${this.accepted.length + 1} requests within 10 minutes (maximum 60)`;
    this.accepted.push({ atMs: now, identity, contract });
    return undefined;
  }
}
