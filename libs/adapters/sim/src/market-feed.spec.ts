import type { Clock, QuoteTick } from '@ttquant/domain';
import { ManualScheduler } from './scheduler';
import { createSimAdapter, type SimAdapter } from './sim-adapter';

const START = 1_709_303_400_000_000_000n;
const ACME = { venue: 'SIM', symbol: 'ACME' };
const adapters: SimAdapter[] = [];

afterEach(async () => {
  for (const sim of adapters.splice(0)) await sim.dispose();
});

/** A walk of ACME alone, with the feed's timers on `scheduler` and its stamps from `clock`. */
async function acmeQuotes(ticksPerSecond: number, scheduler: ManualScheduler, clock: Clock): Promise<QuoteTick[]> {
  const config = {
    market: { ticksPerSecond, tradeProbability: 0 },
    instruments: [{ symbol: 'ACME', assetClass: 'EQUITY', currency: 'USD', tickSize: '0.01', lotSize: '1', initialPrice: '100' }],
  };
  const sim = createSimAdapter(config, { clock }, { scheduler });
  adapters.push(sim);
  const seen: QuoteTick[] = [];
  sim.data.onData((item) => item.kind === 'quote' && seen.push(item));
  await sim.data.subscribe({ kind: 'quotes', instrument: ACME });
  await sim.data.connect();
  return seen;
}

describe('SimMarketFeed above the timer rate', () => {
  it('makes ten thousand quotes per second in bursts, each stamped when it was made', async () => {
    const scheduler = new ManualScheduler(START);
    const seen = await acmeQuotes(10_000, scheduler, scheduler);
    scheduler.advanceBy(100);
    // The step at start, then ten per virtual millisecond.
    expect(seen).toHaveLength(1 + 1_000);
    expect(seen[0]?.initTime).toBe(START);
    expect(seen[1_000]?.initTime).toBe(START + 100_000_000n);
    expect(seen.every((q, i) => i === 0 || q.initTime >= (seen[i - 1] as QuoteTick).initTime)).toBe(true);
  });

  it('skips ahead after a stall instead of flooding: at most 100 ms of steps per callback', async () => {
    const scheduler = new ManualScheduler(START);
    let now = START;
    const seen = await acmeQuotes(10_000, scheduler, { nowNanos: () => now });
    now += 1_000_000_000n; // the process was stalled for a second
    scheduler.advanceBy(1);
    expect(seen).toHaveLength(1 + 1_000);
    now += 1_000_000n; // back on pace: one millisecond, ten steps
    scheduler.advanceBy(1);
    expect(seen).toHaveLength(1 + 1_000 + 10);
  });

  it('keeps one step per timer callback at 1000 per second and below', async () => {
    const scheduler = new ManualScheduler(START);
    const seen = await acmeQuotes(1_000, scheduler, scheduler);
    scheduler.advanceBy(50);
    expect(seen).toHaveLength(1 + 50);
  });
});
