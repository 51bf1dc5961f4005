import * as zmq from 'zeromq';
import { removeIpcFile } from './endpoints';
import { zmqSocketOptions, type SocketOptions } from './socket-options';

/** A running XSUB/XPUB forwarder. */
export interface BusProxy {
  /** Where publishers connect (XSUB), with any wildcard port resolved. */
  readonly frontend: string;
  /** Where subscribers connect (XPUB), with any wildcard port resolved. */
  readonly backend: string;
  /** Resolves when the proxy has stopped (after {@link close}, or if it fails). */
  readonly done: Promise<void>;
  /** Stops forwarding and closes both sockets. */
  close(): Promise<void>;
}

/** Socket settings for each side of the proxy. */
export interface ProxyOptions {
  readonly frontend?: SocketOptions;
  readonly backend?: SocketOptions;
  /**
   * A further `inproc://` endpoint the XPUB side binds, for a subscriber in
   * the same process (the hub's message counter): messages reach it without
   * a TCP round trip through the I/O thread that also serves the services.
   */
  readonly inprocBackend?: string;
}

/**
 * Starts the hub's forwarder: an XSUB socket bound at `frontendEndpoint`
 * (publishers connect there) and an XPUB socket bound at `backendEndpoint`
 * (subscribers connect there). Subscriptions travel upstream, messages
 * downstream. Runs libzmq's own proxy loop in a worker thread (zeromq's
 * `Proxy`), so forwarding never waits on the JavaScript event loop.
 */
export async function startProxy(frontendEndpoint: string, backendEndpoint: string, options: ProxyOptions = {}): Promise<BusProxy> {
  if (options.inprocBackend !== undefined && !options.inprocBackend.startsWith('inproc://')) {
    throw new Error(`inprocBackend: expected an inproc:// endpoint, was ${options.inprocBackend}`);
  }
  const frontendSocket = new zmq.XSubscriber(zmqSocketOptions(options.frontend, 'both'));
  const backendSocket = new zmq.XPublisher(zmqSocketOptions(options.backend, 'both'));
  try {
    await frontendSocket.bind(frontendEndpoint);
    await backendSocket.bind(backendEndpoint);
    if (options.inprocBackend !== undefined) await backendSocket.bind(options.inprocBackend);
  } catch (err) {
    frontendSocket.close();
    backendSocket.close();
    throw err;
  }
  const frontend = frontendSocket.lastEndpoint ?? frontendEndpoint;
  const backend = backendSocket.lastEndpoint ?? backendEndpoint;
  const proxy = new zmq.Proxy(frontendSocket, backendSocket);
  const done = proxy.run();
  let closing: Promise<void> | undefined;
  return {
    frontend,
    backend,
    done,
    close: () => {
      if (!closing) {
        proxy.terminate();
        closing = done.finally(() => {
          removeIpcFile(frontend);
          removeIpcFile(backend);
        });
      }
      return closing;
    },
  };
}
