import {
  runDataConformanceSuite,
  runExecutionConformanceSuite,
  type DataHarness,
  type ExecutionHarness,
} from '@ttquant/gateway-api/testing';
import { createSimAdapter } from './sim-adapter';

/** A sim adapter whose market is set by the suite (no random walk), connected. */
async function simHarness(symbol: string, execution: Record<string, unknown>): Promise<ExecutionHarness & DataHarness> {
  const sim = createSimAdapter({ market: { source: 'external' }, execution }, {});
  await sim.data.connect();
  await sim.execution.connect();
  return {
    instrument: sim.instruments.get({ venue: sim.venue, symbol }),
    execution: sim.execution,
    data: sim.data,
    // The simulated venue implements the fake-venue controls itself.
    venue: sim.simulator,
    dispose: () => sim.dispose(),
  };
}

runExecutionConformanceSuite('sim equity, no latency, no fees', () => simHarness('ACME', {}));

runExecutionConformanceSuite('sim crypto, 3 ms latency, fees and slippage', () =>
  simHarness('BTC-USD', { latencyMs: 3, takerFeeBps: '7.5', makerFeeBps: '2', feePerUnit: '0.01', slippageTicks: 1 }),
);

runDataConformanceSuite('sim', () => simHarness('ACME', {}));
