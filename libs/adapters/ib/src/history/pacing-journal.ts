import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { PacedSend } from './pacing-rules';

/**
 * Where a {@link HistoryPacer} keeps the requests it released, so the next
 * process (after a crash or a Ctrl-C) knows what IB still counts against the
 * ten-minute limit instead of sending 60 requests at once.
 */
export interface PacingJournal {
  /** The requests released at or after `sinceMs` by earlier pacers; older ones may be forgotten. */
  load(sinceMs: number): readonly PacedSend[];
  /** Records a release; called before the request is sent, so a crash right after it is still counted. */
  record(send: PacedSend): void;
}

/** A journal in memory: shared by pacers of one process (tests, or several backfills in turn). */
export class MemoryPacingJournal implements PacingJournal {
  private sends: PacedSend[] = [];

  load(sinceMs: number): readonly PacedSend[] {
    this.sends = this.sends.filter((s) => s.atMs >= sinceMs);
    return [...this.sends];
  }

  record(send: PacedSend): void {
    this.sends.push(send);
  }
}

/**
 * A journal in a file, one JSON line per release, appended synchronously (a
 * release is on disk before its request leaves). Loading drops the lines too
 * old to matter and unreadable ones (a line cut by a crash) and rewrites the
 * file with the rest.
 *
 * @example
 * const pacer = new HistoryPacer({ clock: systemHistoryClock, sleep: realSleep, journal: new FilePacingJournal('/var/lib/ttquant/ib-pacing-4002.jsonl') });
 */
export class FilePacingJournal implements PacingJournal {
  constructor(readonly path: string) {}

  load(sinceMs: number): readonly PacedSend[] {
    if (!existsSync(this.path)) return [];
    const kept: PacedSend[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      const send = parseSend(line);
      if (send && send.atMs >= sinceMs) kept.push(send);
    }
    writeFileSync(this.path, kept.map((s) => `${JSON.stringify(s)}\n`).join(''));
    return kept;
  }

  record(send: PacedSend): void {
    appendFileSync(this.path, `${JSON.stringify({ atMs: send.atMs, identity: send.identity, burstKey: send.burstKey })}\n`);
  }
}

function parseSend(line: string): PacedSend | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null) return undefined;
    const { atMs, identity, burstKey } = value as Record<string, unknown>;
    if (typeof atMs !== 'number' || !Number.isFinite(atMs) || typeof identity !== 'string' || typeof burstKey !== 'string') return undefined;
    return { atMs, identity, burstKey };
  } catch {
    return undefined;
  }
}
