import { StreamLedger } from './stream-ledger';

const md = { service: 'market-data', instance: 'md-1', topic: 'md.tick.SIM.ACME' };

describe('StreamLedger', () => {
  it('grows the unbroken prefix, holds runs beyond a hole until the hole is filled', () => {
    const ledger = new StreamLedger();
    for (const seq of [1, 2, 3, 7, 8, 10]) ledger.note(md, 5n, seq);
    expect(ledger.contiguous(md, 5n)).toBe(3);
    expect(ledger.highest(md, 5n)).toBe(10);
    ledger.note(md, 5n, 4, 6); // a replay fills 4..6
    expect(ledger.contiguous(md, 5n)).toBe(8);
    ledger.note(md, 5n, 9);
    expect(ledger.contiguous(md, 5n)).toBe(10);
    ledger.note(md, 5n, 2); // a duplicate changes nothing
    expect(ledger.contiguous(md, 5n)).toBe(10);
  });

  it('lists the holes below what was handed over', () => {
    const ledger = new StreamLedger();
    for (const seq of [1, 2, 5, 6, 9]) ledger.note(md, 3n, seq);
    expect(ledger.holes()).toEqual([
      { ...md, epoch: 3n, from: 3, to: 4 },
      { ...md, epoch: 3n, from: 7, to: 8 },
    ]);
    ledger.note(md, 3n, 3, 8);
    expect(ledger.holes()).toEqual([]);
  });

  it("keeps following a replaced run whose end is being fetched, and checkpoints it", () => {
    const ledger = new StreamLedger();
    const replaced: string[] = [];
    ledger.onReplaced((stream, epoch, contiguous) => void replaced.push(`${stream.topic}@${epoch}:${contiguous}`));
    ledger.note(md, 1n, 1, 4);
    ledger.markSaved(ledger.unsaved());
    ledger.note(md, 2n, 1); // the publisher restarted
    expect(replaced).toEqual([`${md.topic}@1:4`]);
    ledger.note(md, 1n, 5, 7); // the old run's end, from the journal
    expect(ledger.contiguous(md, 2n)).toBe(1);
    expect(ledger.unsaved()).toEqual(
      expect.arrayContaining([
        { service: md.service, instance: md.instance, topic: md.topic, epoch: 1n, seq: 7 },
        { service: md.service, instance: md.instance, topic: md.topic, epoch: 2n, seq: 1 },
      ]),
    );
    // A run recorded stored, older than the one on the bus, is followed from its stored progress.
    ledger.retire({ ...md, topic: 'md.tick.SIM.OTHER' }, 3n, 10);
    ledger.note({ ...md, topic: 'md.tick.SIM.OTHER' }, 3n, 11);
    expect(ledger.unsaved()).toContainEqual({ service: md.service, instance: md.instance, topic: 'md.tick.SIM.OTHER', epoch: 3n, seq: 11 });
  });

  it('merges runs that arrive out of order', () => {
    const ledger = new StreamLedger();
    ledger.note(md, 1n, 20);
    ledger.note(md, 1n, 10, 12);
    ledger.note(md, 1n, 14, 19);
    ledger.note(md, 1n, 13);
    expect(ledger.contiguous(md, 1n)).toBe(0);
    ledger.note(md, 1n, 1, 9);
    expect(ledger.contiguous(md, 1n)).toBe(20);
  });

  it('starts from the stored progress, follows the newest epoch only, and reports what to checkpoint once', () => {
    const ledger = new StreamLedger();
    ledger.base(md, 5n, 100);
    ledger.note(md, 5n, 101);
    expect(ledger.unsaved()).toEqual([{ ...md, epoch: 5n, seq: 101 }]);
    ledger.markSaved(ledger.unsaved());
    expect(ledger.unsaved()).toEqual([]);
    ledger.note(md, 4n, 500); // a late message of an older run
    expect(ledger.contiguous(md, 5n)).toBe(101);
    ledger.note(md, 6n, 1);
    expect(ledger.tracks(md, 5n)).toBe(false);
    expect(ledger.contiguous(md, 6n)).toBe(1);
    ledger.forget((s) => s.topic === md.topic);
    expect(ledger.size).toBe(0);
  });

  it('drops a replaced run once its end was fetched, its holes closed and its last progress checkpointed', () => {
    const ledger = new StreamLedger();
    const checkpoint = () => ledger.markSaved(ledger.unsaved());
    ledger.note(md, 1n, 1, 4);
    checkpoint();
    ledger.note(md, 2n, 1); // the publisher restarted: run 1's end is being fetched
    checkpoint();
    expect(ledger.replacedRuns).toBe(1); // checkpointed, but more of it may still come
    ledger.note(md, 1n, 5, 7);
    ledger.note(md, 1n, 9); // its end, with a hole at 8
    ledger.settle(md, 1n); // the journal's end was reached
    checkpoint();
    expect(ledger.replacedRuns).toBe(1); // the hole is still being fetched
    ledger.note(md, 1n, 8);
    expect(ledger.replacedRuns).toBe(1); // 1..9 not checkpointed yet
    expect(ledger.unsaved()).toEqual([{ ...md, epoch: 1n, seq: 9 }]);
    checkpoint();
    expect(ledger.replacedRuns).toBe(0);
    // Gone for good: a late copy of it is stored (keyed rows) but neither reopens it nor touches run 2.
    ledger.note(md, 1n, 20);
    expect(ledger.holes()).toEqual([]);
    expect(ledger.unsaved()).toEqual([]);
    expect(ledger.contiguous(md, 2n)).toBe(1);
  });

  it('drops a settled run at once when its progress was checkpointed before, and ignores settling anything else', () => {
    const ledger = new StreamLedger();
    ledger.retire(md, 3n, 10); // recorded stored up to 10, older than the run on the bus
    ledger.settle(md, 4n); // not a replaced run
    ledger.settle({ ...md, topic: 'md.tick.SIM.OTHER' }, 3n);
    expect(ledger.replacedRuns).toBe(1);
    ledger.settle(md, 3n); // nothing beyond 10 in the journal
    expect(ledger.replacedRuns).toBe(0);
  });

  it('does not grow over many publisher restarts', () => {
    const ledger = new StreamLedger();
    for (let epoch = 1n; epoch <= 1_000n; epoch++) {
      ledger.note(md, epoch, 1, 50);
      if (epoch > 1n) ledger.settle(md, epoch - 1n); // the previous run's end, fetched
      ledger.markSaved(ledger.unsaved());
    }
    expect(ledger.size).toBe(1);
    expect(ledger.replacedRuns).toBe(0);
    expect(ledger.contiguous(md, 1_000n)).toBe(50);
  });
});
