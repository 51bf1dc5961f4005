import type { Instrument, InstrumentId } from '@ttquant/domain';

/**
 * The venue's reference data: which instruments exist and their tick size, lot
 * size, multiplier and currency. The gateway and market-data service load the
 * instruments they are configured for at start-up and look them up
 * synchronously afterwards (risk needs them on every order).
 */
export interface InstrumentProvider {
  /** The venue these instruments belong to. */
  readonly venue: string;

  /**
   * Loads `ids` from the venue (or its cache), or every instrument the venue
   * offers when `ids` is omitted; resolves with the loaded instruments.
   * @throws UnknownInstrumentError naming the first id the venue does not know.
   */
  load(ids?: readonly InstrumentId[]): Promise<readonly Instrument[]>;

  /**
   * A loaded instrument.
   * @throws UnknownInstrumentError when it is not loaded or not known.
   */
  get(id: InstrumentId): Instrument;

  /** A loaded instrument by its symbol on this venue; `undefined` when there is none. */
  find(symbol: string): Instrument | undefined;

  /** Every loaded instrument. */
  all(): readonly Instrument[];
}
