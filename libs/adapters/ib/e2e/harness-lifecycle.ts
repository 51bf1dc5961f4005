import { expectCleanSession, type IbHarness } from './fake-tws-venue';

/**
 * Registers, in the calling `describe` block, an `afterEach` that checks the test's harness ended with a clean
 * session and then disposes it, so a failed test cannot leave a fake TWS or adapter running into the next one.
 * Returns `track`: a test hands it the run it started and gets the same run back.
 *
 * @param harnessOf where a run keeps its harness (a run may carry event logs beside it).
 */
export function disposeAfterEach<R>(harnessOf: (run: R) => IbHarness): (run: R) => R {
  let current: R | undefined;
  afterEach(async () => {
    const run = current;
    current = undefined;
    if (run === undefined) return;
    const h = harnessOf(run);
    try {
      expectCleanSession(h);
    } finally {
      await h.dispose();
    }
  });
  return (run) => {
    current = run;
    return run;
  };
}
