import type { Queryable } from '../queryable';

/** What the server offers for TimescaleDB. Usable only when both are true. */
export interface TimescaleSupport {
  /** The extension is installed on the server (`pg_available_extensions`). */
  readonly available: boolean;
  /** It is in `shared_preload_libraries`, which TimescaleDB requires. */
  readonly preloaded: boolean;
}

/** Asks the server whether TimescaleDB can be used. */
export async function detectTimescale(db: Queryable): Promise<TimescaleSupport> {
  const result = await db.query<{ available: boolean; preload: string }>(
    `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS available,
            current_setting('shared_preload_libraries') AS preload`,
  );
  const row = result.rows[0];
  return { available: row?.available === true, preloaded: preloadsTimescale(row?.preload ?? '') };
}

/** Whether a `shared_preload_libraries` value names timescaledb (possibly quoted or as a path). */
export function preloadsTimescale(setting: string): boolean {
  return setting
    .split(',')
    .map((entry) => entry.trim().replace(/^"|"$/g, ''))
    .some((entry) => /(^|\/)timescaledb(-[\d.]+)?(\.so)?$/.test(entry));
}
