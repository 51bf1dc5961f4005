export * from './bus-options';
export * from './inbound';
export * from './journaled-publisher';
export * from './heartbeat';
export * from './gateway-state';
export * from './stack-wiring';
export * from './allocate-stack-wiring';
