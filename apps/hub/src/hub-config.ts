import type convict from 'convict';

/** The hub's own settings, under `hub`. */
export interface HubConfig {
  /** Where publishers connect: the XSUB side. */
  frontend: string;
  /** Where subscribers connect: the XPUB side. */
  backend: string;
  /** Count forwarded messages per topic family (one extra subscriber inside the hub). */
  countMessages: boolean;
}

export const hubSchema: convict.Schema<HubConfig> = {
  frontend: {
    doc: 'Endpoint the XSUB side binds; publishers connect here.',
    format: 'zmq-endpoint',
    default: 'tcp://127.0.0.1:5555',
  },
  backend: {
    doc: 'Endpoint the XPUB side binds; subscribers connect here.',
    format: 'zmq-endpoint',
    default: 'tcp://127.0.0.1:5556',
  },
  countMessages: {
    doc: 'Count forwarded messages per topic family for /metrics.',
    format: 'boolean',
    default: true,
  },
};
