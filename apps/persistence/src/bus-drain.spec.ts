import { waitUntilQuiet } from './bus-drain';

describe('waitUntilQuiet', () => {
  it('ends at the first reading equal to the one before', async () => {
    const readings = [0, 5, 9, 9, 12];
    let reads = 0;
    const quiet = await waitUntilQuiet(() => readings[Math.min(reads++, readings.length - 1)] as number, 2, 5_000);
    expect(quiet).toBe(true);
    // 0 → 5 → 9 → 9: quiet on the fourth reading.
    expect(reads).toBe(4);
  });

  it('gives up after the longest wait when messages keep coming', async () => {
    let count = 0;
    const started = Date.now();
    expect(await waitUntilQuiet(() => count++, 5, 40)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
