import { HistoryPacer, type HistoryClock, type IbBarRequest } from '@ttquant/adapter-ib';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPacingJournal, pacingJournalPath } from './backfill-pacing';

const request = (end: string): IbBarRequest => ({
  contract: { conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' },
  endDateTime: end,
  duration: '1 D',
  barSize: '1 min',
  whatToShow: 'TRADES',
  useRth: true,
});

describe('the backfill pacing journal', () => {
  let cwd: string;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'ttq-pacing-'));
  });

  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('is one file per gateway host and port under .data/ib-pacing, with a safe name', () => {
    expect(pacingJournalPath('/srv/ttq', '127.0.0.1', 4002)).toBe('/srv/ttq/.data/ib-pacing/127.0.0.1-4002.jsonl');
    expect(pacingJournalPath('/srv/ttq', 'tws.lan', 7497)).toBe('/srv/ttq/.data/ib-pacing/tws.lan-7497.jsonl');
    expect(pacingJournalPath('/srv/ttq', '::1', 4002)).toBe('/srv/ttq/.data/ib-pacing/__1-4002.jsonl');
    expect(pacingJournalPath('/srv/ttq', '../etc', 4002)).toBe('/srv/ttq/.data/ib-pacing/.._etc-4002.jsonl');
  });

  it("makes a second process's pacer wait for the first one's burst", async () => {
    let now = Date.UTC(2026, 6, 6, 12);
    const clock: HistoryClock = { now: () => now };
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      now += ms;
    };
    const first = new HistoryPacer({ clock, sleep, journal: openPacingJournal(cwd, '127.0.0.1', 4002) });
    for (let day = 6; day <= 10; day++) await first.acquire(request(`202607${String(day).padStart(2, '0')}-20:00:00`));
    expect(waits).toEqual([]);
    expect(readFileSync(pacingJournalPath(cwd, '127.0.0.1', 4002), 'utf8').trim().split('\n')).toHaveLength(5);

    // A new process a moment later: five requests for AAPL in the last 2 s are known, so the sixth waits.
    now += 100;
    const second = new HistoryPacer({ clock, sleep, journal: openPacingJournal(cwd, '127.0.0.1', 4002) });
    await second.acquire(request('20260713-20:00:00'));
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1_900);

    // Another gateway has a journal of its own.
    expect(existsSync(pacingJournalPath(cwd, '127.0.0.1', 4001))).toBe(false);
  });
});
