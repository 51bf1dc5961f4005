/**
 * Interactive Brokers adapter: TWS / IB Gateway through @stoqey/ib behind the
 * gateway interface.
 */
export const IB_ADAPTER_KIND = 'ib';

export * from './config';
export * from './history-source';
export { IbConnection, IbSessionRefusedError, IB_DECODE_ERROR } from './connection/ib-connection';
export type { IbConnectionLease, IbConnectionOptions, IbLinkStatus, IbNotice, IbSession } from './connection/ib-connection';
export { Backoff } from './connection/backoff';
export { OrderIdAllocator, RequestIdAllocator, IbIdError } from './connection/id-allocators';
export { IB_ERRORS, ibError, classifyIbMessage, farmStatus } from './parsing/ib-errors';
export { zonedWallToUtc } from './parsing/zone-time';
export { AmbiguousContractError, IbInstrumentProvider } from './instrument-provider';
export { IbDataClient, IB_DATA_CAPABILITIES } from './data-client';
export { IbExecutionClient, IB_EXECUTION_CAPABILITIES } from './execution-client';
export { IbHistoryClient } from './history-client';
export { createIbAdapter, ibAdapterFactory, ibAdapterFactoryFor } from './ib-adapter';
export type { IbAdapter, IbAdapterOptions } from './ib-adapter';
export * from './history';
