/** The apps a latency round runs, as built bundles. */
export const BENCH_APPS = ['hub', 'gateway', 'strategy-engine', 'market-data'] as const;
/** One of {@link BENCH_APPS}. */
export type BenchApp = (typeof BENCH_APPS)[number];
