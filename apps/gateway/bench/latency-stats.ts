/** Percentiles of one set of latencies, in microseconds. */
export interface LatencySummary {
  readonly samples: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly maxUs: number;
}

/** Nearest-rank percentile of ascending values (`p` in 0..1); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] as number;
}

/** p50, p99, p99.9 and max of latencies given in nanoseconds. */
export function summarise(latenciesNs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesNs).sort();
  const us = (ns: number) => Math.round(ns / 100) / 10;
  return {
    samples: sorted.length,
    p50Us: us(percentile(sorted, 0.5)),
    p99Us: us(percentile(sorted, 0.99)),
    p999Us: us(percentile(sorted, 0.999)),
    maxUs: us(sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN),
  };
}

/** The median; NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** `p50 312.4 p99 1,201.0 p99.9 3,400.2 µs` */
export function formatSummary(s: LatencySummary): string {
  const f = (v: number) => (Number.isNaN(v) ? '—' : v.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })).padStart(8);
  return `p50 ${f(s.p50Us)}  p99 ${f(s.p99Us)}  p99.9 ${f(s.p999Us)}  max ${f(s.maxUs)} µs`;
}
