import type convict from 'convict';
import { MARKET_DATA_ADAPTERS, type MarketDataAdapterKind } from './market-data-venue';

/** Market-data settings, under `marketData`. */
export interface MarketDataConfig {
  /** Venue adapter: `sim` (the simulated venue, `[sim]`) or `ib` (Interactive Brokers, `[ib]`). */
  adapter: MarketDataAdapterKind;
  /** Symbols to subscribe; empty: every instrument the venue lists (sim) or `ib.instruments` (IB). */
  symbols: string[];
  /** REP socket answering replay requests from the journal (bind). */
  replayEndpoint: string;
  /** Journal folder; empty: `.data/journal/market-data-<instance>`. */
  journalDir: string;
  /** How long journaled ticks are kept for replay. */
  journalRetention: number;
  /** How often instrument definitions are published again, for late joiners. */
  instrumentInterval: number;
  /** Fault drill: every Nth tick of a stream is journaled but not sent (0: never). */
  dropTickEvery: number;
}

export const marketDataSchema: convict.Schema<MarketDataConfig> = {
  adapter: {
    doc: 'Venue adapter: sim (the simulated venue, configured under [sim]) or ib (Interactive Brokers TWS / IB Gateway, under [ib]).',
    format: [...MARKET_DATA_ADAPTERS],
    default: 'sim',
  },
  symbols: { doc: 'Symbols to subscribe; empty for every instrument the venue lists (sim) or ib.instruments (IB).', format: Array, default: [] },
  replayEndpoint: {
    doc: 'Endpoint the REP socket for replay requests binds.',
    format: 'zmq-endpoint',
    default: 'tcp://127.0.0.1:5557',
  },
  journalDir: { doc: 'Journal folder; empty for .data/journal/market-data-<instance>.', format: String, default: '' },
  journalRetention: { doc: 'How long journaled ticks are kept for replay.', format: 'duration', default: 3_600_000 },
  instrumentInterval: { doc: 'How often instrument definitions are published again.', format: 'duration', default: 5_000 },
  dropTickEvery: {
    doc: 'Fault drill for gap detection and replay: every Nth tick is journaled but not sent; 0 (default) never. Not for production.',
    format: 'nat',
    default: 0,
  },
};
