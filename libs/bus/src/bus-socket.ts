import type { Registry } from 'prom-client';
import type * as zmq from 'zeromq';
import { BusMetrics, type MetricsSource, type SocketMetricsSnapshot } from './metrics';
import type { SocketOptions } from './socket-options';
import { BoundEndpoints } from './bound-endpoints';

/** Options every bus socket takes besides the ZeroMQ settings. */
export interface BusSocketOptions extends SocketOptions {
  /** Label for stats, logs and the `socket` metric label. Defaults to the socket kind. */
  readonly name?: string;
  /** Export this socket's counters as Prometheus metrics in this registry. */
  readonly registry?: Registry;
}

/** What every bus socket shares: binding, connecting, metrics export, closing. */
export abstract class BusSocket<S extends zmq.Socket> implements MetricsSource {
  /** The `socket` label of this socket's metrics. */
  readonly name: string;
  private readonly metrics: BusMetrics | undefined;
  private readonly bound = new BoundEndpoints();

  protected constructor(
    protected readonly socket: S,
    name: string,
    registry: Registry | undefined,
  ) {
    this.name = name;
    this.metrics = registry ? BusMetrics.of(registry) : undefined;
    this.metrics?.attach(this);
  }

  /** True when counters by topic family are wanted (a registry was given). */
  protected get exportsMetrics(): boolean {
    return this.metrics !== undefined;
  }

  /**
   * Binds to an endpoint and returns the endpoint actually bound: binding
   * `tcp://127.0.0.1:*` picks a free port.
   */
  async bind(endpoint: string): Promise<string> {
    return this.bound.bind(this.socket, endpoint);
  }

  /** Connects to an endpoint; ZeroMQ keeps reconnecting in the background. */
  connect(endpoint: string): void {
    this.socket.connect(endpoint);
  }

  /** Drops a connection made with {@link connect}. */
  disconnect(endpoint: string): void {
    this.socket.disconnect(endpoint);
  }

  /**
   * Set by {@link closeSocket}. Hot loops read this field rather than the
   * socket's `closed`, a native accessor that costs a call into the addon.
   */
  protected isClosed = false;

  /** True once closed. */
  get closed(): boolean {
    return this.isClosed || this.socket.closed;
  }

  /** Counters by label for Prometheus. */
  abstract metricsSnapshot(): SocketMetricsSnapshot;

  /** Closes the zeromq socket (idempotent), removes its ipc files and keeps the final counts in the metrics. */
  protected closeSocket(): void {
    this.isClosed = true;
    if (!this.socket.closed) this.socket.close();
    this.bound.removeIpcFiles();
    this.metrics?.detach(this);
  }
}
