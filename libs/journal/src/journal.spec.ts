import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INLINE_SYNC_AFTER_IDLE_MS, Journal, JournalError } from './journal';

const EPOCH = 1_763_700_000_000_000_000n;
const payload = (n: number) => Buffer.from(`envelope-${n}`);

describe('Journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ttq-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fill(journal: Journal, topic: string, from: number, to: number, epoch = EPOCH): void {
    for (let seq = from; seq <= to; seq++) journal.append({ topic, epoch, sequence: seq, payload: payload(seq) });
  }

  /** The last sequence of `topic` another process would find in the files now: what was written, not just buffered. */
  function lastSequenceOnDisk(topic: string): number | undefined {
    const reader = Journal.open({ dir });
    try {
      return reader.range(topic, EPOCH)?.lastSequence;
    } finally {
      reader.close();
    }
  }

  it('reads back a range of one stream, exactly as appended', () => {
    const journal = Journal.open({ dir });
    fill(journal, 'ex.order.A1', 1, 20);
    fill(journal, 'ex.fill.A1', 1, 5);
    const records = journal.read('ex.order.A1', EPOCH, 5, 8);
    expect(records.map((r) => r.sequence)).toEqual([5, 6, 7, 8]);
    expect(Buffer.from(records[0]?.payload ?? []).toString()).toBe('envelope-5');
    expect(journal.read('ex.order.A1', EPOCH, 18, 1000)).toHaveLength(3);
    expect(journal.read('ex.order.A1', EPOCH + 1n, 1, 10)).toEqual([]);
    expect(journal.range('ex.fill.A1', EPOCH)).toEqual({ topic: 'ex.fill.A1', epoch: EPOCH, firstSequence: 1, lastSequence: 5 });
    journal.close();
  });

  it('survives a restart: every synced record is indexed again', () => {
    const first = Journal.open({ dir });
    fill(first, 't', 1, 100);
    first.sync();
    first.close();
    const second = Journal.open({ dir });
    expect(second.range('t', EPOCH)?.lastSequence).toBe(100);
    expect([...second.scan()].map((r) => r.sequence)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    fill(second, 't', 101, 101);
    expect(second.read('t', EPOCH, 100, 101).map((r) => r.sequence)).toEqual([100, 101]);
    second.close();
  });

  it('cuts off a torn last record (a crash mid-write) and keeps appending', () => {
    const journal = Journal.open({ dir });
    fill(journal, 't', 1, 10);
    journal.close();
    const segment = join(dir, readdirSync(dir)[0] as string);
    const intact = statSync(segment).size;
    appendFileSync(segment, Buffer.from([0, 0, 0, 60, 1, 2, 3])); // half a record
    const reopened = Journal.open({ dir });
    expect(statSync(segment).size).toBe(intact);
    expect(reopened.range('t', EPOCH)?.lastSequence).toBe(10);
    fill(reopened, 't', 11, 12);
    reopened.close();
    expect(Journal.open({ dir }).range('t', EPOCH)?.lastSequence).toBe(12);
  });

  it('opens after a crash that left an empty new segment', () => {
    const journal = Journal.open({ dir });
    fill(journal, 't', 1, 3);
    journal.close();
    writeFileSync(join(dir, 'segment-0000000002.log'), Buffer.alloc(0));
    const reopened = Journal.open({ dir });
    fill(reopened, 't', 4, 4);
    expect(reopened.read('t', EPOCH, 1, 4).map((r) => r.sequence)).toEqual([1, 2, 3, 4]);
    reopened.close();
  });

  it('refuses to open a segment corrupted in the middle rather than drop what follows', () => {
    const journal = Journal.open({ dir });
    fill(journal, 't', 1, 10);
    journal.close();
    const segment = join(dir, readdirSync(dir)[0] as string);
    const bytes = readFileSync(segment);
    bytes[40] = (bytes[40] as number) ^ 0xff; // inside the first record's body
    writeFileSync(segment, bytes);
    expect(() => Journal.open({ dir })).toThrow(JournalError);
    expect(() => Journal.open({ dir })).toThrow(/corrupt record at offset 8/);
  });

  it('rotates segments by size and reads across them', () => {
    const journal = Journal.open({ dir, maxSegmentBytes: 1024 });
    fill(journal, 't', 1, 200);
    journal.flush();
    expect(readdirSync(dir).length).toBeGreaterThan(5);
    expect(journal.read('t', EPOCH, 1, 200).map((r) => r.sequence)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    journal.close();
  });

  it('drops only whole segments older than the retention window', () => {
    let now = 1_000_000;
    const journal = Journal.open({ dir, maxSegmentBytes: 1024, retentionMs: 60_000, now: () => now });
    fill(journal, 't', 1, 100);
    now += 120_000;
    fill(journal, 't', 101, 110);
    const segmentsBefore = readdirSync(dir).length;
    const removed = journal.enforceRetention();
    expect(removed).toBeGreaterThan(0);
    expect(readdirSync(dir).length).toBe(segmentsBefore - removed);
    const range = journal.range('t', EPOCH);
    expect(range?.lastSequence).toBe(110);
    // Everything appended inside the window is still there; the first held sequence moved up.
    expect(range?.firstSequence).toBeLessThanOrEqual(101);
    expect(range?.firstSequence).toBeGreaterThan(1);
    expect(journal.read('t', EPOCH, 1, 110)[0]?.sequence).toBe(range?.firstSequence);
    journal.close();
  });

  it('indexes a batch record under every sequence it carries and returns it once', () => {
    const journal = Journal.open({ dir });
    journal.append({ topic: 't', epoch: EPOCH, sequence: 1, count: 3, payload: Buffer.from('batch 1-3') });
    journal.append({ topic: 't', epoch: EPOCH, sequence: 4, payload: Buffer.from('single 4') });
    journal.append({ topic: 't', epoch: EPOCH, sequence: 5, count: 2, payload: Buffer.from('batch 5-6') });
    expect(journal.range('t', EPOCH)).toMatchObject({ firstSequence: 1, lastSequence: 6 });
    const text = (records: { payload: Uint8Array }[]) => records.map((r) => Buffer.from(r.payload).toString());
    expect(text(journal.read('t', EPOCH, 2, 5))).toEqual(['batch 1-3', 'single 4', 'batch 5-6']);
    expect(text(journal.read('t', EPOCH, 6, 6))).toEqual(['batch 5-6']);
    journal.close();
    const reopened = Journal.open({ dir });
    expect(reopened.read('t', EPOCH, 3, 3).map((r) => [r.sequence, r.count])).toEqual([[1, 3]]);
    reopened.close();
  });

  it('keeps the first copy of a duplicated sequence', () => {
    const journal = Journal.open({ dir });
    journal.append({ topic: 't', epoch: EPOCH, sequence: 1, payload: Buffer.from('first') });
    journal.append({ topic: 't', epoch: EPOCH, sequence: 1, payload: Buffer.from('second') });
    expect(Buffer.from(journal.read('t', EPOCH, 1, 1)[0]?.payload ?? []).toString()).toBe('first');
    journal.close();
  });

  it('syncs without blocking, sharing one disk flush among callers that arrive meanwhile', async () => {
    const journal = Journal.open({ dir });
    fill(journal, 't', 1, 3);
    const first = journal.syncAsync();
    fill(journal, 't', 4, 5);
    const second = journal.syncAsync();
    fill(journal, 't', 6, 6);
    const third = journal.syncAsync();
    expect(third).toBe(second); // both wait for the sync after the one under way
    await Promise.all([first, second, third]);
    // Another reader sees every record: they were written and synced, not just buffered.
    expect(lastSequenceOnDisk('t')).toBe(6);
    await journal.idle();
    journal.close();
  });

  it('persists a lone call in place and a burst with shared asynchronous syncs', async () => {
    let nowMs = 1_000;
    const journal = Journal.open({ dir, now: () => nowMs });
    fill(journal, 't', 1, 1);
    const lone = journal.persist();
    // Synced before persist returned: another reader already sees the record.
    expect(lastSequenceOnDisk('t')).toBe(1);
    await lone;
    expect(journal.syncCounts).toEqual({ inline: 1, grouped: 0 });

    // Right after a sync: the next calls share asynchronous syncs.
    fill(journal, 't', 2, 2);
    const second = journal.persist();
    fill(journal, 't', 3, 3);
    const third = journal.persist();
    fill(journal, 't', 4, 4);
    const fourth = journal.persist();
    expect(fourth).toBe(third);
    await Promise.all([second, third, fourth]);
    expect(journal.syncCounts).toEqual({ inline: 1, grouped: 2 });

    // After a quiet spell, in place again.
    nowMs += INLINE_SYNC_AFTER_IDLE_MS;
    fill(journal, 't', 5, 5);
    await journal.persist();
    expect(journal.syncCounts).toEqual({ inline: 2, grouped: 2 });
    expect(lastSequenceOnDisk('t')).toBe(5);
    journal.close();
  });

  it('refuses use after close', () => {
    const journal = Journal.open({ dir });
    journal.close();
    expect(() => journal.append({ topic: 't', epoch: EPOCH, sequence: 1, payload: payload(1) })).toThrow(
      'is closed',
    );
  });
});
