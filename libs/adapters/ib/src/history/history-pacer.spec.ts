import type { IbBarRequest } from '../history-source';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryPacer } from './history-pacer';
import { FilePacingJournal, MemoryPacingJournal, type PacingJournal } from './pacing-journal';
import { advancingSleep, realSleep, systemHistoryClock } from './history-timing';
import { pacingKey, IB_PACING_RULES } from './pacing-rules';
import { IB_RULES, pacingViolations, type LoggedRequest } from './test-support/pacing-rule-checker';

/** A simulated clock like the fake TWS's ManualClock. */
class TestClock {
  constructor(private ms = Date.UTC(2025, 0, 2, 14, 30)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Deterministic pseudo-random numbers (mulberry32) so a failing stream can be replayed by seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function request(conId: number, endDateTime = '20250102-21:00:00', whatToShow: IbBarRequest['whatToShow'] = 'TRADES'): IbBarRequest {
  return {
    contract: { conId, symbol: `S${conId}`, secType: 'STK', exchange: 'SMART', currency: 'USD' },
    endDateTime,
    duration: '1 D',
    barSize: '1 min',
    whatToShow,
    useRth: true,
  };
}

function logged(req: IbBarRequest, atMs: number): LoggedRequest {
  const c = req.contract;
  return {
    atMs,
    group: `${c.conId}/${c.exchange}/${req.whatToShow}`,
    identity: `${c.conId}/${c.exchange}/${req.whatToShow}/${req.endDateTime}/${req.duration}/${req.barSize}/${req.useRth}`,
  };
}

describe('HistoryPacer', () => {
  it('releases 60 requests at once and holds the 61st until the ten-minute window frees a slot', async () => {
    const clock = new TestClock();
    const start = clock.now();
    const pacer = new HistoryPacer({ clock, sleep: advancingSleep(clock) });
    const times: number[] = [];
    // Twelve contracts, five requests each: the burst rule never binds.
    for (let i = 0; i < 60; i++) times.push(await pacer.acquire(request(i % 12, `20250102-21:00:${String(i).padStart(2, '0')}`)));
    expect(times.every((t) => t === start)).toBe(true);
    const sixtyFirst = await pacer.acquire(request(99));
    expect(sixtyFirst - start).toBe(600_001);
    expect(pacer.stats()).toEqual({ released: 61, delayed: 1, waitedMs: 600_001 });
  });

  it('keeps identical requests more than 15 s apart', async () => {
    const clock = new TestClock();
    const pacer = new HistoryPacer({ clock, sleep: advancingSleep(clock) });
    const first = await pacer.acquire(request(1));
    const other = await pacer.acquire(request(1, '20250103-21:00:00'));
    const repeat = await pacer.acquire(request(1));
    expect(other).toBe(first);
    expect(repeat - first).toBe(15_001);
  });

  it('lets five requests for one contract, exchange and tick type through in a burst, and the sixth after 2 s', async () => {
    const clock = new TestClock();
    const pacer = new HistoryPacer({ clock, sleep: advancingSleep(clock) });
    const start = clock.now();
    const times: number[] = [];
    for (let i = 0; i < 6; i++) times.push((await pacer.acquire(request(7, `20250102-2${i}:00:00`))) - start);
    expect(times).toEqual([0, 0, 0, 0, 0, 2_001]);
    // Another tick type of the same contract is another group.
    expect((await pacer.acquire(request(7, '20250102-21:00:00', 'MIDPOINT'))) - start).toBe(2_001);
  });

  it('never breaks a rule on random request streams, and never waits longer than a rule demands', async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const rnd = random(seed);
      const clock = new TestClock();
      const pacer = new HistoryPacer({ clock, sleep: advancingSleep(clock) });
      const log: LoggedRequest[] = [];
      const arrivals: number[] = [];
      const count = 150 + Math.floor(rnd() * 100);
      for (let i = 0; i < count; i++) {
        // Bursts of back-to-back requests, pauses up to 30 s, few contracts and
        // few distinct end times so identical repeats and bursts both happen.
        if (rnd() < 0.3) clock.advance(Math.floor(rnd() * 30_000));
        const req = request(1 + Math.floor(rnd() * 3), `20250102-1${Math.floor(rnd() * 10)}:00:00`, rnd() < 0.8 ? 'TRADES' : 'BID');
        arrivals.push(clock.now());
        log.push(logged(req, await pacer.acquire(req)));
      }
      expect({ seed, problems: pacingViolations(log) }).toEqual({ seed, problems: [] });
      // Maximal throughput: a request that waited could not have gone 1 ms sooner.
      for (let i = 0; i < log.length; i++) {
        const entry = log[i] as LoggedRequest;
        const floor = Math.max(arrivals[i] as number, i > 0 ? (log[i - 1] as LoggedRequest).atMs : 0);
        if (entry.atMs === floor) continue;
        const sooner = [...log.slice(0, i), { ...entry, atMs: entry.atMs - 1 }];
        expect({ seed, i, problems: pacingViolations(sooner).length > 0 }).toEqual({ seed, i, problems: true });
      }
    }
  });

  it('serves concurrent callers in call order, within the rules', async () => {
    const clock = new TestClock();
    const pacer = new HistoryPacer({ clock, sleep: advancingSleep(clock) });
    const requests = Array.from({ length: 130 }, (_, i) => request(1 + (i % 4), `20250102-1${i % 10}:00:00`));
    const times = await Promise.all(requests.map((r) => pacer.acquire(r)));
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
    expect(pacingViolations(requests.map((r, i) => logged(r, times[i] as number)))).toEqual([]);
    expect(pacer.stats().released).toBe(130);
  });

  it('widens every window by the margin', async () => {
    const clock = new TestClock();
    const pacer = new HistoryPacer({ clock, sleep: advancingSleep(clock), rules: { marginMs: 1_000 } });
    const rnd = random(42);
    const log: LoggedRequest[] = [];
    for (let i = 0; i < 130; i++) {
      const req = request(1 + Math.floor(rnd() * 2), `20250102-2${Math.floor(rnd() * 3)}:00:00`);
      log.push(logged(req, await pacer.acquire(req)));
    }
    const withMargin = { identicalMs: 16_000, burstMs: 3_000, burstMax: 5, globalMs: 601_000, globalMax: 60 };
    expect(pacingViolations(log, withMargin)).toEqual([]);
    expect(pacingViolations(log, IB_RULES)).toEqual([]);
  });

  it('tells the caller how long it will wait', async () => {
    const clock = new TestClock();
    const waits: number[] = [];
    const pacer = new HistoryPacer({ clock, sleep: advancingSleep(clock), onWait: (ms) => waits.push(ms) });
    await pacer.acquire(request(1));
    await pacer.acquire(request(1));
    expect(waits).toEqual([15_001]);
  });

  it('gives up a wait when aborted, without counting the request or blocking the next one', async () => {
    const clock = new TestClock();
    let wake: (() => void) | undefined;
    const sleeps: number[] = [];
    const pacer = new HistoryPacer({
      clock,
      sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
          sleeps.push(ms);
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
          wake = () => {
            clock.advance(ms);
            resolve();
          };
        }),
    });
    await pacer.acquire(request(1));
    const controller = new AbortController();
    const blocked = pacer.acquire(request(1), controller.signal);
    const next = pacer.acquire(request(2));
    await Promise.resolve();
    await Promise.resolve();
    controller.abort(new Error('backfill stopped'));
    await expect(blocked).rejects.toThrow('backfill stopped');
    await expect(next).resolves.toBe(clock.now());
    expect(sleeps).toEqual([15_001]);
    expect(wake).toBeDefined();
    expect(pacer.stats().released).toBe(2);
  });

  it('paces on real timers too', async () => {
    const pacer = new HistoryPacer({
      clock: systemHistoryClock,
      sleep: realSleep,
      rules: { identicalWindowMs: 60, burstWindowMs: 40, burstMax: 2, globalWindowMs: 100, globalMax: 4 },
    });
    const log: LoggedRequest[] = [];
    for (let i = 0; i < 8; i++) {
      const req = request(1 + (i % 2), `20250102-2${i % 3}:00:00`);
      log.push(logged(req, await pacer.acquire(req)));
    }
    expect(pacingViolations(log, { identicalMs: 60, burstMs: 40, burstMax: 2, globalMs: 100, globalMax: 4 })).toEqual([]);
    expect((log[7] as LoggedRequest).atMs - (log[0] as LoggedRequest).atMs).toBeGreaterThan(100);
  });

  describe('after a crash', () => {
    let dir = '';
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'ib-pacing-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** 60 requests released by a first pacer (process), which then dies. */
    async function crashedRun(clock: TestClock, journal: PacingJournal): Promise<number> {
      const first = new HistoryPacer({ clock, sleep: advancingSleep(clock), journal });
      const start = clock.now();
      for (let i = 0; i < 60; i++) await first.acquire(request(i % 12, `20250102-21:00:${String(i).padStart(2, '0')}`));
      return start;
    }

    it('a fresh pacer on the same journal file holds the 61st request until the ten-minute window frees a slot', async () => {
      const clock = new TestClock();
      const path = join(dir, 'pacing.jsonl');
      const start = await crashedRun(clock, new FilePacingJournal(path));
      clock.advance(30_000);
      // The crash cut the last line in half: it is skipped, the rest still counts.
      appendFileSync(path, '{"atMs":17');
      const resumed = new HistoryPacer({ clock, sleep: advancingSleep(clock), journal: new FilePacingJournal(path) });
      expect((await resumed.acquire(request(99))) - start).toBe(600_001);
      // The 60 releases of the dead run (the cut line dropped) and the new one.
      expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(61);
    });

    it('a fresh pacer keeps identical requests of the earlier run 15 s apart', async () => {
      const clock = new TestClock();
      const journal = new MemoryPacingJournal();
      const first = new HistoryPacer({ clock, sleep: advancingSleep(clock), journal });
      const sent = await first.acquire(request(1));
      clock.advance(5_000);
      const resumed = new HistoryPacer({ clock, sleep: advancingSleep(clock), journal });
      expect((await resumed.acquire(request(1))) - sent).toBe(15_001);
    });

    it('without a journal, assume-full waits a whole window before the first request; the default does not', async () => {
      const clock = new TestClock();
      const start = clock.now();
      const careful = new HistoryPacer({ clock, sleep: advancingSleep(clock), coldStart: 'assume-full' });
      expect((await careful.acquire(request(1))) - start).toBe(600_001);
      const trusting = new HistoryPacer({ clock, sleep: advancingSleep(clock) });
      expect(await trusting.acquire(request(2))).toBe(clock.now());
    });

    it('forgets journal lines too old to matter', async () => {
      const clock = new TestClock();
      const path = join(dir, 'pacing.jsonl');
      await crashedRun(clock, new FilePacingJournal(path));
      clock.advance(600_002);
      const later = new HistoryPacer({ clock, sleep: advancingSleep(clock), journal: new FilePacingJournal(path) });
      const now = clock.now();
      expect(await later.acquire(request(99))).toBe(now);
      expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
    });
  });

  it('refuses unusable rules with the field and value', () => {
    const clock = new TestClock();
    expect(() => new HistoryPacer({ clock, sleep: advancingSleep(clock), rules: { burstMax: 0 } })).toThrow(
      'expected pacing rule burstMax to be a positive whole number, was 0',
    );
    expect(() => new HistoryPacer({ clock, sleep: advancingSleep(clock), rules: { marginMs: -1 } })).toThrow(
      'expected pacing rule marginMs to be a whole number >= 0, was -1',
    );
  });
});

describe('pacingKey', () => {
  it('groups by contract, exchange and tick type, and tells apart everything IB compares', () => {
    const a = pacingKey(request(1));
    expect(pacingKey(request(1))).toEqual(a);
    expect(pacingKey(request(1, '20250103-21:00:00')).burstKey).toBe(a.burstKey);
    expect(pacingKey(request(1, '20250103-21:00:00')).identity).not.toBe(a.identity);
    expect(pacingKey(request(1, undefined, 'BID')).burstKey).not.toBe(a.burstKey);
    expect(pacingKey({ ...request(1), useRth: false }).identity).not.toBe(a.identity);
    expect(IB_PACING_RULES.globalMax).toBe(60);
  });
});
