import type { Queryable } from '../queryable';

/** Which stored fills to account. */
export interface StoredFillPnlQuery {
  /** One account; every account when omitted. */
  readonly account?: string;
}

/** One position as recomputed from its stored fills. */
export interface StoredFillPosition {
  readonly account: string;
  readonly venue: string;
  readonly symbol: string;
  /**
   * The instrument's quote currency: from the fills when the writer stored it,
   * else from the `instruments` table; empty when neither knows the instrument.
   */
  readonly currency: string;
  /** Signed open quantity after the last fill, exact decimal text. */
  readonly quantity: string;
  /** Realised PnL net of commissions in {@link currency}, exact decimal text. */
  readonly realizedPnl: string;
  /** Fills accounted. */
  readonly fills: number;
}

/*
 * Average-cost accounting of every (account, venue, symbol) in one recursive
 * query, independent of the domain's Position class so each can check the
 * other. The walk starts before the first fill (quantity, cost and realised PnL
 * zero) and takes the next fill by (ts_ns, exec_id) through fills_position_idx
 * at each step, so it costs one index probe per fill.
 *
 * Per fill, with direction +1 (BUY) or -1 (SELL):
 * - closed = min(|quantity|, fill quantity) when the fill opposes the position, else 0;
 * - the closed cost is the whole cost when everything closes, else
 *   cost × closed / |quantity| rounded half-even to max(12, scale of cost)
 *   places (the residue stays in the cost, so a round trip is exact);
 * - realised += (sign(quantity) × price × closed − closed cost) × multiplier,
 *   minus the commission when it is in the instrument currency (or unnamed);
 * - quantity += direction × fill quantity; the cost takes the rest opened at
 *   the fill price, and is zero whenever the position is flat.
 * The half-even division is done on exact integers (div/remainder), because
 * numeric division rounds half away from zero at a scale of its own choosing.
 */
const POSITIONS_SQL = `
WITH RECURSIVE walk AS (
  SELECT g.account, g.venue, g.symbol,
         (-9223372036854775808)::int8 AS ts_ns, ''::text COLLATE "C" AS exec_id,
         0::numeric AS quantity, 0::numeric AS cost, 0::numeric AS realized,
         ''::text COLLATE "C" AS currency, 0::int8 AS fills
    FROM (SELECT DISTINCT account, venue, symbol FROM fills WHERE $1::text IS NULL OR account = $1) g
  UNION ALL
  SELECT w.account, w.venue, w.symbol, n.ts_ns, n.exec_id,
         w.quantity + s.direction * n.quantity,
         CASE WHEN w.quantity + s.direction * n.quantity = 0 THEN 0
              ELSE w.cost - c.closed_cost + s.direction * (n.quantity - s.closed) * n.price END,
         w.realized + (sign(w.quantity) * n.price * s.closed - c.closed_cost) * n.multiplier
           - CASE WHEN n.commission_currency = '' OR n.commission_currency = n.currency THEN n.commission ELSE 0 END,
         n.currency, w.fills + 1
    FROM walk w
    CROSS JOIN LATERAL (
      SELECT f.ts_ns, f.exec_id, f.side, f.quantity, f.price, f.commission, f.commission_currency,
             COALESCE(f.currency, i.currency, '') AS currency, COALESCE(f.multiplier, i.multiplier, 1) AS multiplier
        FROM fills f
        LEFT JOIN instruments i ON i.venue = f.venue AND i.symbol = f.symbol
       WHERE f.account = w.account AND f.venue = w.venue AND f.symbol = w.symbol
         AND (f.ts_ns, f.exec_id) > (w.ts_ns, w.exec_id)
       ORDER BY f.ts_ns, f.exec_id
       LIMIT 1
    ) n
    CROSS JOIN LATERAL (
      SELECT d.direction,
             CASE WHEN w.quantity <> 0 AND sign(w.quantity) <> d.direction THEN least(abs(w.quantity), n.quantity) ELSE 0 END AS closed
        FROM (SELECT CASE WHEN n.side = 'BUY' THEN 1 ELSE -1 END AS direction) d
    ) s
    CROSS JOIN LATERAL (
      SELECT greatest(12, scale(w.cost)) AS places,
             w.cost * s.closed * ('1e' || greatest(12, scale(w.cost)))::numeric AS scaled,
             abs(w.quantity) AS whole
    ) p
    CROSS JOIN LATERAL (SELECT div(p.scaled, nullif(p.whole, 0)) AS q) t
    CROSS JOIN LATERAL (
      SELECT CASE
               WHEN s.closed = 0 THEN 0
               WHEN s.closed = p.whole THEN w.cost
               ELSE (t.q + sign(p.scaled) * CASE
                       WHEN 2 * abs(p.scaled - t.q * p.whole) > p.whole THEN 1
                       WHEN 2 * abs(p.scaled - t.q * p.whole) = p.whole AND mod(t.q, 2) <> 0 THEN 1
                       ELSE 0 END
                    ) * ('1e-' || p.places)::numeric
             END AS closed_cost
    ) c
)
SELECT DISTINCT ON (account, venue, symbol) account, venue, symbol, currency, quantity, realized, fills
  FROM walk
 WHERE fills > 0
 ORDER BY account, venue, symbol, fills DESC`;

interface PositionRow {
  account: string;
  venue: string;
  symbol: string;
  currency: string;
  quantity: string;
  realized: string;
  fills: string;
}

/**
 * Recomputes every position of the stored fills in SQL alone (average cost,
 * fills in execution-time order then by exec id, long↔short flips, commissions
 * in the instrument currency subtracted, contract multipliers applied), with
 * exact `numeric` arithmetic throughout. An independent check of the PnL the
 * gateway publishes. Ordered by account, venue and symbol.
 */
export async function storedFillPositions(db: Queryable, query: StoredFillPnlQuery = {}): Promise<StoredFillPosition[]> {
  const result = await db.query<PositionRow>(POSITIONS_SQL, [query.account ?? null]);
  return result.rows.map((row) => ({
    account: row.account,
    venue: row.venue,
    symbol: row.symbol,
    currency: row.currency,
    quantity: row.quantity,
    realizedPnl: row.realized,
    fills: Number(row.fills),
  }));
}

/**
 * Realised PnL of the stored fills by currency, recomputed purely in SQL (see
 * {@link storedFillPositions}); exact decimal text. Positions whose instrument
 * is unknown (no currency with the fills nor in `instruments`) are summed under
 * the empty currency `''`.
 *
 * @example
 * const pnl = await realizedPnlFromStoredFills(pool, { account: 'SIM001' });
 * Decimal.parse(pnl.get('USD') ?? '0').toFixed(2); // '71.00'
 */
export async function realizedPnlFromStoredFills(db: Queryable, query: StoredFillPnlQuery = {}): Promise<Map<string, string>> {
  const result = await db.query<{ currency: string; realized: string }>(
    `SELECT currency, sum(realized) AS realized FROM (${POSITIONS_SQL}) positions GROUP BY currency ORDER BY currency`,
    [query.account ?? null],
  );
  return new Map(result.rows.map((row) => [row.currency, row.realized]));
}
