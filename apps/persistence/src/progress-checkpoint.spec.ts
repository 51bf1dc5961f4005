import type { StreamProgress } from '@ttquant/storage';
import { ProgressCheckpoint } from './progress-checkpoint';
import { StreamLedger } from './stream-ledger';

const md = { service: 'market-data', instance: 'md-1', topic: 'md.tick.SIM.ACME' };
const logger = { warn: () => undefined };

describe('ProgressCheckpoint', () => {
  it('records a prefix only after the writers flushed what was handed to them before it', async () => {
    const ledger = new StreamLedger();
    const calls: string[] = [];
    const saved: StreamProgress[][] = [];
    const checkpoint = new ProgressCheckpoint({
      ledger,
      flush: async () => {
        calls.push('flush');
        // Handed over while the flush runs: not covered by this checkpoint.
        ledger.note(md, 3n, 6);
      },
      save: async (entries) => {
        calls.push('save');
        saved.push([...entries]);
      },
      intervalMs: 60_000,
      logger,
    });
    for (let seq = 1; seq <= 5; seq++) ledger.note(md, 3n, seq);
    expect(await checkpoint.run()).toBe(true);
    expect(calls).toEqual(['flush', 'save']);
    expect(saved).toEqual([[{ ...md, epoch: 3n, seq: 5 }]]);
    expect(ledger.unsaved()).toEqual([{ ...md, epoch: 3n, seq: 6 }]);
  });

  it('records nothing when the flush fails, and tries the same prefix again next time', async () => {
    const ledger = new StreamLedger();
    let failFlush = true;
    const saved: StreamProgress[][] = [];
    const checkpoint = new ProgressCheckpoint({
      ledger,
      flush: async () => {
        if (failFlush) throw new Error('connection refused');
      },
      save: async (entries) => void saved.push([...entries]),
      intervalMs: 60_000,
      logger,
    });
    ledger.note(md, 3n, 1, 10);
    expect(await checkpoint.run()).toBe(false);
    expect(saved).toEqual([]);
    expect(checkpoint.stats).toEqual({ saves: 0, failures: 1 });
    failFlush = false;
    expect(await checkpoint.run()).toBe(true);
    expect(saved).toEqual([[{ ...md, epoch: 3n, seq: 10 }]]);
    // Nothing new: no write at all.
    expect(await checkpoint.run()).toBe(true);
    expect(saved).toHaveLength(1);
  });
});
