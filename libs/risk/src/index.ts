export * from './pre-trade';
export * from './risk-limits';
export * from './checks';
export * from './risk-engine';
