/**
 * Historical bars backfill for IB: a pacer that keeps within IB's pacing
 * rules by waiting, a planner that asks only for what storage lacks, a runner
 * that stores each answer as it comes, and a completeness report.
 */
export * from './pacing-rules';
export * from './history-pacer';
export * from './pacing-journal';
export * from './history-timing';
export * from './trading-calendar';
export * from './bar-sizes';
export * from './bar-slots';
export * from './bar-conversion';
export * from './backfill-plan';
export * from './history-errors';
export * from './completeness-report';
export * from './backfill-runner';
export * from './backfill-progress';
