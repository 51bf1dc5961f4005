/**
 * Interactive Brokers adapter: TWS / IB Gateway through @stoqey/ib behind the
 * gateway interface.
 */
export const IB_ADAPTER_KIND = 'ib';
export * from './history';
