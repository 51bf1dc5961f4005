import { Long } from '@ttquant/protocol';
import { GapTracker, SequenceVerdict, type SequenceGap, type StreamStart } from './gap-tracker';

const EPOCH = Long.fromString('1763686800123456789', true);
const LATER_EPOCH = Long.fromString('1763686900000000000', true);

describe('GapTracker', () => {
  let gaps: SequenceGap[];
  let starts: StreamStart[];
  let tracker: GapTracker;

  beforeEach(() => {
    gaps = [];
    starts = [];
    tracker = new GapTracker({ onGap: (g) => gaps.push(g), onStreamStart: (s) => starts.push(s) });
  });

  const check = (sequence: number, epoch = EPOCH, topic = 'md.tick.x.A', instance = 'md-1') =>
    tracker.check(topic, 'market-data', instance, epoch, sequence);

  it('accepts consecutive sequences without gaps', () => {
    expect([1, 2, 3, 4].map((s) => check(s))).toEqual([
      SequenceVerdict.First,
      SequenceVerdict.InOrder,
      SequenceVerdict.InOrder,
      SequenceVerdict.InOrder,
    ]);
    expect(gaps).toEqual([]);
    expect(tracker.stats()).toEqual({ streams: 1, gaps: 0, missing: 0, duplicates: 0, epochResets: 0 });
  });

  it('reports the exact missing range once, then continues from the new sequence', () => {
    for (const s of [1, 2, 3]) check(s);
    expect(check(7)).toBe(SequenceVerdict.Gap);
    expect(check(8)).toBe(SequenceVerdict.InOrder);
    expect(gaps).toEqual([
      {
        stream: 'market-data/md-1:md.tick.x.A',
        source: { service: 'market-data', instance: 'md-1' },
        topic: 'md.tick.x.A',
        epoch: 1_763_686_800_123_456_789n,
        from: 4,
        to: 6,
      },
    ]);
    expect(tracker.stats()).toMatchObject({ gaps: 1, missing: 3 });
  });

  it('takes the first message seen as the baseline (no gap on joining mid-stream)', () => {
    expect(check(1000)).toBe(SequenceVerdict.First);
    expect(check(1001)).toBe(SequenceVerdict.InOrder);
    expect(gaps).toEqual([]);
    expect(starts).toEqual([expect.objectContaining({ firstSequence: 1000, restarted: false, epoch: 1_763_686_800_123_456_789n })]);
  });

  it('drops repeated and older sequences as duplicates', () => {
    for (const s of [1, 2, 3]) check(s);
    expect(check(3)).toBe(SequenceVerdict.Duplicate);
    expect(check(1)).toBe(SequenceVerdict.Duplicate);
    expect(check(4)).toBe(SequenceVerdict.InOrder);
    expect(tracker.stats()).toMatchObject({ duplicates: 2, gaps: 0 });
    expect(tracker.lastSequence('md.tick.x.A', 'market-data', 'md-1')).toBe(4);
  });

  it('restarts tracking on a new epoch without a false gap', () => {
    for (const s of [1, 2, 3, 4, 5]) check(s);
    expect(check(1, LATER_EPOCH)).toBe(SequenceVerdict.NewEpoch);
    expect(check(2, LATER_EPOCH)).toBe(SequenceVerdict.InOrder);
    expect(gaps).toEqual([]);
    expect(starts.map((s) => [s.epoch, s.firstSequence, s.restarted])).toEqual([
      [1_763_686_800_123_456_789n, 1, false],
      [1_763_686_900_000_000_000n, 1, true],
    ]);
    expect(tracker.stats()).toMatchObject({ epochResets: 1, streams: 1 });
  });

  it('tracks streams per topic and per source instance independently', () => {
    check(1, EPOCH, 'md.tick.x.A', 'md-1');
    check(1, EPOCH, 'md.tick.x.A', 'md-2');
    check(1, EPOCH, 'md.tick.x.B', 'md-1');
    check(2, EPOCH, 'md.tick.x.A', 'md-2');
    check(3, EPOCH, 'md.tick.x.A', 'md-1');
    expect(gaps.map((g) => [g.stream, g.from, g.to])).toEqual([['market-data/md-1:md.tick.x.A', 2, 2]]);
    expect(tracker.stats().streams).toBe(3);
  });

  it('accepts small numeric epochs as well as Longs', () => {
    expect(tracker.check('t.a', 's', 'i', 5, 1)).toBe(SequenceVerdict.First);
    expect(tracker.check('t.a', 's', 'i', Long.fromNumber(5, true), 2)).toBe(SequenceVerdict.InOrder);
    expect(tracker.check('t.a', 's', 'i', 6, 1)).toBe(SequenceVerdict.NewEpoch);
  });

  it('keeps counting when a callback throws', () => {
    const throwing = new GapTracker({
      onGap: () => {
        throw new Error('consumer bug');
      },
    });
    throwing.check('t', 's', 'i', EPOCH, 1);
    expect(throwing.check('t', 's', 'i', EPOCH, 5)).toBe(SequenceVerdict.Gap);
    expect(throwing.stats()).toMatchObject({ gaps: 1, missing: 3 });
  });

  it('forgets streams on reset', () => {
    check(1);
    tracker.reset();
    expect(check(9)).toBe(SequenceVerdict.First);
    expect(gaps).toEqual([]);
  });
});
