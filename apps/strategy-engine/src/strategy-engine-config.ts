import type convict from 'convict';
import type { StrategyDefinition } from '@ttquant/strategy';

/** Strategy-engine settings, under `strategyEngine`. */
export interface StrategyEngineConfig {
  /** Account the strategies trade unless a strategy names another. */
  account: string;
  /** The PULL endpoint of the gateway owning the account. */
  gatewayEndpoint: string;
  /** The gateway's control endpoint, asked for its orders at start-up. */
  gatewayControlEndpoint: string;
  /** How long one state request waits for the gateway before it is asked again. */
  stateTimeout: number;
  /** An order the gateway has not answered after this long is sent again (same client order id). */
  resendAfter: number;
  strategies: StrategyDefinition[];
}

export const strategyEngineSchema: convict.Schema<StrategyEngineConfig> = {
  account: { doc: 'Account the strategies trade.', format: 'nonempty-string', default: 'SIM001' },
  gatewayEndpoint: {
    doc: "The order endpoint of the account's gateway (PUSH connects here).",
    format: 'zmq-endpoint',
    default: 'tcp://127.0.0.1:5560',
  },
  gatewayControlEndpoint: {
    doc: "The control endpoint of the account's gateway: at start-up the strategies take up their orders and positions from its state.",
    format: 'zmq-endpoint',
    default: 'tcp://127.0.0.1:5561',
  },
  stateTimeout: { doc: 'How long a state request waits for the gateway before it is asked again.', format: 'duration', default: 3_000 },
  resendAfter: { doc: 'Resend an unanswered order (same client order id) after this long.', format: 'duration', default: 5_000 },
  strategies: {
    doc: 'The strategies to run: [[strategyEngine.strategies]] tables with type, id and params.',
    format: Array,
    default: [
      {
        type: 'ema-cross',
        id: 'ema1',
        params: { venue: 'SIM', symbol: 'ACME', fastPeriod: 5, slowPeriod: 20, quantity: '10', mode: 'long-only' },
      },
    ],
  },
};
