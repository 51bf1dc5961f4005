import { createServer, connect, type Server, type Socket } from 'node:net';

/** Counters of a {@link TcpProxy}. */
export interface TcpProxyStats {
  /** Connections accepted and forwarded. */
  readonly accepted: number;
  /** Connections refused while cut. */
  readonly refused: number;
  /** Connections open now. */
  readonly open: number;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

/**
 * A TCP forwarder for fault tests: it sits between a service and a server
 * (PostgreSQL, say) and can
 * - {@link cut}: drop every connection and refuse new ones, as a network
 *   outage or a server crash looks to the client, until {@link resume};
 * - {@link holdResponses}: stop passing the server's bytes back while the
 *   client's still go through, so a request reaches the server and stays
 *   open there (a COPY in progress, say) for as long as the test needs,
 *   until {@link releaseResponses}.
 *
 * @example
 * const proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5432 });
 * const url = `postgres://postgres@127.0.0.1:${proxy.port}/test`;
 * proxy.cut(); … proxy.resume();
 * await proxy.close();
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private isCut = false;
  private holding = false;
  private counts = { accepted: 0, refused: 0 };

  private constructor(
    private readonly server: Server,
    private readonly target: { readonly host: string; readonly port: number },
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Listens on 127.0.0.1 (`listenPort`, default a free one) and forwards to `target`. */
  static async start(target: { readonly host: string; readonly port: number }, listenPort = 0): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => resolve());
    });
    return new TcpProxy(server, target);
  }

  /** The port clients connect to. */
  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error(`expected a TCP listening address, was ${String(address)}`);
    return address.port;
  }

  /** Counters so far. */
  get stats(): TcpProxyStats {
    return { ...this.counts, open: this.pairs.size };
  }

  /** Drops every connection (both sides see a reset) and refuses new ones until {@link resume}. */
  cut(): void {
    this.isCut = true;
    for (const pair of [...this.pairs]) this.drop(pair);
  }

  /** Accepts and forwards connections again. */
  resume(): void {
    this.isCut = false;
  }

  /** Stops passing the server's bytes to the clients (they wait; nothing is lost), on open and new connections. */
  holdResponses(): void {
    this.holding = true;
    for (const { client, upstream } of this.pairs) {
      upstream.unpipe(client);
      upstream.pause();
    }
  }

  /** Passes on everything held back, and what follows. */
  releaseResponses(): void {
    this.holding = false;
    for (const { client, upstream } of this.pairs) upstream.pipe(client);
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.isCut) {
      this.counts.refused++;
      client.resetAndDestroy();
      return;
    }
    this.counts.accepted++;
    const upstream = connect(this.target.port, this.target.host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.pipe(upstream);
    if (this.holding) upstream.pause();
    else upstream.pipe(client);
    const end = () => this.drop(pair);
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.resetAndDestroy();
    pair.upstream.resetAndDestroy();
  }
}
