import type convict from 'convict';

/** Market-data settings, under `marketData`. */
export interface MarketDataConfig {
  /** Venue adapter: `sim` (IB and crypto adapters come later). */
  venue: 'sim';
  /** Symbols to subscribe; empty: every instrument the venue lists. */
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
  venue: { doc: 'Venue adapter.', format: ['sim'], default: 'sim' },
  symbols: { doc: 'Symbols to subscribe; empty for every listed instrument.', format: Array, default: [] },
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
