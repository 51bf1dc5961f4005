/**
 * An independent check of IB's historical pacing rules over a log of sends,
 * written by brute force from IB's wording (not from the pacer's algorithm) so
 * the pacer's specs can catch a wrong pacer. For specs only.
 */

/** One request as IB would have received it. */
export interface LoggedRequest {
  readonly atMs: number;
  /** Contract, exchange and tick type. */
  readonly group: string;
  /** Everything IB compares for "identical". */
  readonly identity: string;
}

/** IB's numbers, overridable for a spec that checks a margin. */
export interface CheckedRules {
  readonly identicalMs: number;
  readonly burstMs: number;
  readonly burstMax: number;
  readonly globalMs: number;
  readonly globalMax: number;
}

export const IB_RULES: CheckedRules = { identicalMs: 15_000, burstMs: 2_000, burstMax: 5, globalMs: 600_000, globalMax: 60 };

/**
 * Every rule broken in `log`, as text: empty when the log is legal. Windows are
 * closed on both ends (the stricter reading), so two sends exactly 15 s apart
 * are still "within 15 s".
 */
export function pacingViolations(log: readonly LoggedRequest[], rules: CheckedRules = IB_RULES): string[] {
  const problems: string[] = [];
  log.forEach((request, i) => {
    const earlier = log.slice(0, i);
    const twin = earlier.find((e) => e.identity === request.identity && request.atMs - e.atMs <= rules.identicalMs);
    if (twin) problems.push(`#${i} at ${request.atMs} repeats the request sent at ${twin.atMs}`);
    const inBurst = log.filter(
      (e) => e.group === request.group && e.atMs <= request.atMs && request.atMs - e.atMs <= rules.burstMs,
    ).length;
    if (inBurst > rules.burstMax) problems.push(`#${i} at ${request.atMs} is number ${inBurst} for ${request.group} within the burst window`);
    const inGlobal = log.filter((e) => e.atMs <= request.atMs && request.atMs - e.atMs <= rules.globalMs).length;
    if (inGlobal > rules.globalMax) problems.push(`#${i} at ${request.atMs} is number ${inGlobal} within the overall window`);
  });
  return problems;
}
