import type convict from 'convict';
import { GATEWAY_ADAPTERS, type GatewayAdapterKind } from './gateway-venue';

/** Pre-trade limits, as decimal text; see `libs/risk`. */
export interface GatewayRiskConfig {
  maxOrderQuantity: string;
  maxOrderNotional: string;
  maxPosition: string;
  /** Fat-finger band around the last quote's mid, in basis points. */
  priceBandBps: number;
}

/** The gateway's own settings, under `gateway`. */
export interface GatewayConfig {
  /** The one account this gateway owns. */
  account: string;
  /** Venue adapter: `sim` (the simulated venue, `[sim]`) or `ib` (Interactive Brokers, `[ib]`). */
  adapter: GatewayAdapterKind;
  /** PULL socket for order commands (bind). */
  ordersEndpoint: string;
  /** REP socket for `replay` and `state` requests (bind). */
  controlEndpoint: string;
  /** Journal folder; empty: `.data/journal/gateway-<account>`. */
  journalDir: string;
  /** When set, every order the sim venue receives is appended here (an audit trail for tests). */
  simOrderLog: string;
  /** When set, tick-to-order latencies of tagged orders are written here at shutdown (`npm run bench -- latency`). */
  latencySamplesFile: string;
  risk: GatewayRiskConfig;
}

export const gatewaySchema: convict.Schema<GatewayConfig> = {
  account: { doc: 'The account this gateway owns.', format: 'nonempty-string', default: 'SIM001' },
  adapter: {
    doc: 'Venue adapter: sim (the simulated venue, configured under [sim]) or ib (Interactive Brokers TWS / IB Gateway, under [ib]).',
    format: [...GATEWAY_ADAPTERS],
    default: 'sim',
  },
  ordersEndpoint: {
    doc: 'Endpoint the PULL socket for order commands binds.',
    format: 'zmq-endpoint',
    default: 'tcp://127.0.0.1:5560',
  },
  controlEndpoint: {
    doc: 'Endpoint the REP socket for replay and state requests binds.',
    format: 'zmq-endpoint',
    default: 'tcp://127.0.0.1:5561',
  },
  journalDir: { doc: 'Journal folder; empty for .data/journal/gateway-<account>.', format: String, default: '' },
  simOrderLog: { doc: 'File that records every order the sim venue receives; empty for none.', format: String, default: '' },
  latencySamplesFile: {
    doc: 'CSV file the tick-to-order latency of every order tagged tickInitNs is written to at shutdown (latency bench); empty for none.',
    format: String,
    default: '',
  },
  risk: {
    maxOrderQuantity: { doc: 'Largest quantity per order.', format: 'positive-decimal', default: '100000' },
    maxOrderNotional: { doc: 'Largest notional per order, in the quote currency.', format: 'positive-decimal', default: '10000000' },
    maxPosition: { doc: 'Largest absolute position per instrument.', format: 'positive-decimal', default: '100000' },
    priceBandBps: { doc: 'Fat-finger band around the mid, in basis points.', format: 'nat', default: 1000 },
  },
};
