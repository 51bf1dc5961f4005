import type convict from 'convict';

/** How a service reaches the bus, under the `bus` key. Durations are in milliseconds. */
export interface BusConfig {
  /** Hub endpoint publishers connect to (the hub's XSUB side). */
  xsubEndpoint: string;
  /** Hub endpoint subscribers connect to (the hub's XPUB side). */
  xpubEndpoint: string;
  /** Messages queued per outgoing socket before it blocks (PUSH) or drops (PUB). */
  sendHwm: number;
  /** Messages queued per incoming socket before the peer is held back or dropped. */
  receiveHwm: number;
  /** How long unsent messages are kept when a socket closes. */
  linger: number;
  /** First wait before reconnecting to a peer that went away. */
  reconnectInterval: number;
  /** Longest wait between reconnection attempts (the wait doubles up to this); 0 keeps it fixed. */
  reconnectMax: number;
  /** Most messages of one topic sent together in one frame; 1 disables batching. */
  batchMaxSize: number;
  /** Longest a message may wait for its batch to fill; 0 sends at the end of the current event-loop turn. */
  batchMaxDelay: number;
}

/**
 * The `bus` section shared by every service that talks to the hub.
 *
 * @example
 * const schema = { service: serviceSchema('market-data'), bus: busSchema };
 * loadConfig(schema, { service: 'market-data' }).get('bus.sendHwm');
 */
export const busSchema: convict.Schema<BusConfig> = freezeEntries({
  xsubEndpoint: {
    doc: 'Hub endpoint publishers connect to (XSUB side).',
    format: 'zmq-endpoint',
    default: 'tcp://127.0.0.1:5555',
  },
  xpubEndpoint: {
    doc: 'Hub endpoint subscribers connect to (XPUB side).',
    format: 'zmq-endpoint',
    default: 'tcp://127.0.0.1:5556',
  },
  sendHwm: {
    doc: 'Messages queued per outgoing socket before it blocks (PUSH) or drops (PUB).',
    format: 'nat',
    default: 100_000,
  },
  receiveHwm: {
    doc: 'Messages queued per incoming socket.',
    format: 'nat',
    default: 100_000,
  },
  linger: {
    doc: 'How long unsent messages are kept when a socket closes.',
    format: 'duration',
    default: 2_000,
  },
  reconnectInterval: {
    doc: 'First wait before reconnecting to a peer.',
    format: 'duration',
    default: 100,
  },
  reconnectMax: {
    doc: 'Longest wait between reconnection attempts; 0 keeps the first wait.',
    format: 'duration',
    default: 5_000,
  },
  batchMaxSize: {
    doc: 'Most same-topic messages sent in one frame; 1 disables batching.',
    format: 'nat',
    default: 64,
  },
  batchMaxDelay: {
    doc: 'Longest a message waits for its batch; 0 sends at the end of the current event-loop turn.',
    format: 'duration',
    default: 0,
  },
});

// Frozen so that one service tweaking a default cannot change it for another in the same process.
function freezeEntries<S extends object>(schema: S): S {
  for (const entry of Object.values(schema)) Object.freeze(entry);
  return Object.freeze(schema);
}
