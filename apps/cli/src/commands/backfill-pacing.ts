import { FilePacingJournal } from '@ttquant/adapter-ib';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where `ttq backfill` keeps its pacing journals, under the working directory's state folder. */
export const PACING_JOURNAL_DIR = '.data/ib-pacing';

/**
 * The file recording the historical requests sent to one TWS / IB Gateway
 * (one per host and port, as IB counts per connection to it), so a backfill
 * started right after another one, or after a Ctrl-C or a crash, keeps within
 * the limits IB still counts instead of earning error 162.
 *
 * @example
 * pacingJournalPath('/srv/ttq', '127.0.0.1', 4002); // '/srv/ttq/.data/ib-pacing/127.0.0.1-4002.jsonl'
 */
export function pacingJournalPath(cwd: string, host: string, port: number): string {
  // Host names and IPv6 addresses become a safe file name; the port keeps two gateways on one host apart.
  const safeHost = host.replace(/[^A-Za-z0-9.-]/g, '_');
  return join(cwd, PACING_JOURNAL_DIR, `${safeHost}-${port}.jsonl`);
}

/** Opens (creating its folder) the pacing journal of a gateway. */
export function openPacingJournal(cwd: string, host: string, port: number): FilePacingJournal {
  const path = pacingJournalPath(cwd, host, port);
  mkdirSync(join(cwd, PACING_JOURNAL_DIR), { recursive: true });
  return new FilePacingJournal(path);
}
