import { runDataConformanceSuite, runExecutionConformanceSuite } from '@ttquant/gateway-api/testing';
import { expectCleanSession, startIbHarness, type IbHarness } from './fake-tws-venue';

// Every harness is checked on dispose: any decode error (IB 505) or refused message fails the test run.
async function harness(symbol: string, adapterConfig: Record<string, unknown> = {}): Promise<IbHarness> {
  const h = await startIbHarness({ symbol, adapterConfig });
  return {
    ...h,
    async dispose() {
      try {
        expectCleanSession(h);
      } finally {
        await h.dispose();
      }
    },
  };
}

// A future: the fake charges IB-like commissions ($1 minimum per stock execution), which a 100-tick move of a
// stock does not cover; on ES (tick 0.25, multiplier 50) the suite's "sell to close at a profit" holds.
runExecutionConformanceSuite('IB future on a fake TWS', () => harness('ESZ7'), { waitTimeoutMs: 5_000, testTimeoutMs: 20_000 });

runDataConformanceSuite('IB stock on a fake TWS', () => harness('AAPL'), { waitTimeoutMs: 5_000, testTimeoutMs: 20_000 });

runDataConformanceSuite('IB stock with tick-by-tick quotes on a fake TWS', () => harness('AAPL', { quoteSource: 'tick-by-tick' }), {
  waitTimeoutMs: 5_000,
  testTimeoutMs: 20_000,
});
