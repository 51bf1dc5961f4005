import type { Queryable } from '../queryable';

/** How far one stream (one topic of one publisher run) is stored without a hole. */
export interface StreamProgress {
  readonly service: string;
  readonly instance: string;
  readonly topic: string;
  /** The publisher run. */
  readonly epoch: bigint;
  /** Every message 1..seq of this stream is stored (or parked, or counted as lost). */
  readonly seq: number;
}

/**
 * `ttq_stream_progress`: per stream, the sequence up to which everything is
 * stored. Written by persistence only after the rows it covers are committed,
 * so it may lag the data but never runs ahead of it; a worker that takes
 * over a stream asks the journal for everything after it. Kept beside the
 * versioned schema (created here, idempotently) because it belongs to the
 * persistence workers' coordination, not to the data model.
 */
export const STREAM_PROGRESS_DDL = `CREATE TABLE IF NOT EXISTS ttq_stream_progress (
  source_service text NOT NULL,
  source_instance text NOT NULL,
  topic text NOT NULL,
  epoch int8 NOT NULL,
  seq int8 NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_service, source_instance, topic, epoch)
)`;

/** Creates `ttq_stream_progress` when it does not exist. */
export async function ensureStreamProgressTable(db: Queryable): Promise<void> {
  await db.query(STREAM_PROGRESS_DDL);
}

/**
 * Records progress; a stored value never moves back (two workers briefly
 * sharing a stream, or an old checkpoint arriving late, cannot undo a newer one).
 */
export async function saveStreamProgress(db: Queryable, entries: readonly StreamProgress[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `INSERT INTO ttq_stream_progress AS p (source_service, source_instance, topic, epoch, seq)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[])
     ON CONFLICT (source_service, source_instance, topic, epoch)
     DO UPDATE SET seq = GREATEST(p.seq, EXCLUDED.seq), updated_at = now()`,
    [
      entries.map((e) => e.service),
      entries.map((e) => e.instance),
      entries.map((e) => e.topic),
      entries.map((e) => e.epoch.toString()),
      entries.map((e) => e.seq),
    ],
  );
}

/** The progress of one stream in one publisher run; 0 when nothing of it was recorded. */
export async function loadStreamProgress(
  db: Queryable,
  stream: { readonly service: string; readonly instance: string; readonly topic: string; readonly epoch: bigint },
): Promise<number> {
  const result = await db.query<{ seq: string }>(
    'SELECT seq::text AS seq FROM ttq_stream_progress WHERE source_service = $1 AND source_instance = $2 AND topic = $3 AND epoch = $4::int8',
    [stream.service, stream.instance, stream.topic, stream.epoch.toString()],
  );
  return Number(result.rows[0]?.seq ?? 0);
}

/** The newest publisher run of every stream recorded: where a worker taking over looks for a missed tail. */
export async function latestStreamProgress(db: Queryable): Promise<StreamProgress[]> {
  const result = await db.query<{ service: string; instance: string; topic: string; epoch: string; seq: string }>(
    `SELECT DISTINCT ON (source_service, source_instance, topic)
            p.source_service AS service, p.source_instance AS instance, p.topic, p.epoch::text AS epoch, p.seq::text AS seq
       FROM ttq_stream_progress p
      -- Qualified: the bare name would sort the text alias, putting epoch '5' after '1763…'.
      ORDER BY p.source_service, p.source_instance, p.topic, p.epoch DESC`,
  );
  return result.rows.map((row) => ({
    service: row.service,
    instance: row.instance,
    topic: row.topic,
    epoch: BigInt(row.epoch),
    seq: Number(row.seq),
  }));
}
