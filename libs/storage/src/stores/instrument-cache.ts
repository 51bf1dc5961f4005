import { ASSET_CLASSES, type Instrument, type InstrumentId, type UnixNanos } from '@ttquant/domain';
import type { Queryable } from '../queryable';
import { nanosToTimestampText } from '../pg-time';
import { bigintOf, decimalOf, enumOf } from '../readers/row-parsing';

/** An instrument as cached, with when the venue first and last described it (microsecond precision). */
export interface StoredInstrument {
  readonly instrument: Instrument;
  readonly firstSeen: UnixNanos;
  readonly lastSeen: UnixNanos;
}

interface InstrumentRow {
  venue: string;
  symbol: string;
  venue_instrument_id: string;
  asset_class: string;
  exchange: string;
  currency: string;
  base_currency: string;
  multiplier: string;
  tick_size: string;
  lot_size: string;
  min_quantity: string;
  description: string;
  first_seen_us: string;
  last_seen_us: string;
}

const SELECT = `SELECT venue, symbol, venue_instrument_id, asset_class, exchange, currency, base_currency, multiplier,
  tick_size, lot_size, min_quantity, description,
  (extract(epoch FROM first_seen) * 1000000)::int8::text AS first_seen_us,
  (extract(epoch FROM last_seen) * 1000000)::int8::text AS last_seen_us
  FROM instruments`;

/**
 * The instrument (contract) cache in the `instruments` table. Has the shape
 * of gateway-api's `InstrumentCache`, so an app can hand it to adapters.
 */
export class PgInstrumentCache {
  constructor(private readonly db: Queryable) {}

  /** The cached instrument, or `undefined`. */
  async get(id: InstrumentId): Promise<StoredInstrument | undefined> {
    const result = await this.db.query<InstrumentRow>(`${SELECT} WHERE venue = $1 AND symbol = $2`, [id.venue, id.symbol]);
    const row = result.rows[0];
    return row ? storedOf(row) : undefined;
  }

  /**
   * Inserts or updates an instrument: `first_seen` is kept from the first
   * put, `last_seen` becomes `seenAt`; `raw` is the venue's definition for audit.
   */
  async put(instrument: Instrument, seenAt: UnixNanos, raw?: unknown): Promise<void> {
    const seen = nanosToTimestampText(seenAt);
    await this.db.query(
      `INSERT INTO instruments (venue, symbol, venue_instrument_id, asset_class, exchange, currency, base_currency,
         multiplier, tick_size, lot_size, min_quantity, description, raw, first_seen, last_seen)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
       ON CONFLICT (venue, symbol) DO UPDATE SET
         venue_instrument_id = EXCLUDED.venue_instrument_id, asset_class = EXCLUDED.asset_class,
         exchange = EXCLUDED.exchange, currency = EXCLUDED.currency, base_currency = EXCLUDED.base_currency,
         multiplier = EXCLUDED.multiplier, tick_size = EXCLUDED.tick_size, lot_size = EXCLUDED.lot_size,
         min_quantity = EXCLUDED.min_quantity, description = EXCLUDED.description,
         raw = COALESCE(EXCLUDED.raw, instruments.raw),
         first_seen = LEAST(instruments.first_seen, EXCLUDED.first_seen),
         last_seen = GREATEST(instruments.last_seen, EXCLUDED.last_seen)`,
      [
        instrument.id.venue,
        instrument.id.symbol,
        instrument.venueInstrumentId,
        instrument.assetClass,
        instrument.exchange,
        instrument.currency,
        instrument.baseCurrency,
        instrument.multiplier.toString(),
        instrument.tickSize.toString(),
        instrument.lotSize.toString(),
        instrument.minQuantity.toString(),
        instrument.description,
        raw === undefined ? null : JSON.stringify(raw),
        seen,
      ],
    );
  }

  /** Every cached instrument, of one venue when given, by venue and symbol. */
  async list(venue?: string): Promise<StoredInstrument[]> {
    const result =
      venue === undefined
        ? await this.db.query<InstrumentRow>(`${SELECT} ORDER BY venue, symbol`)
        : await this.db.query<InstrumentRow>(`${SELECT} WHERE venue = $1 ORDER BY symbol`, [venue]);
    return result.rows.map(storedOf);
  }
}

function storedOf(row: InstrumentRow): StoredInstrument {
  return {
    instrument: {
      id: { venue: row.venue, symbol: row.symbol },
      venueInstrumentId: row.venue_instrument_id,
      assetClass: enumOf(ASSET_CLASSES, row.asset_class, 'asset_class'),
      exchange: row.exchange,
      currency: row.currency,
      baseCurrency: row.base_currency,
      multiplier: decimalOf(row.multiplier, 'multiplier'),
      tickSize: decimalOf(row.tick_size, 'tick_size'),
      lotSize: decimalOf(row.lot_size, 'lot_size'),
      minQuantity: decimalOf(row.min_quantity, 'min_quantity'),
      description: row.description,
    },
    firstSeen: bigintOf(row.first_seen_us, 'first_seen') * 1000n,
    lastSeen: bigintOf(row.last_seen_us, 'last_seen') * 1000n,
  };
}
