/**
 * Test support for adapters: the conformance suites every venue adapter runs
 * against its fake venue, and the harness types it implements. For specs and
 * e2e tests only (lint forbids importing it from production code).
 */
export * from './harness';
export * from './execution-conformance';
export * from './data-conformance';
export { ExecutionRecorder } from './execution-recorder';
export { OrderKit, nextClientOrderId } from './conformance-helpers';
