import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The transports the bus runs over. */
export type Transport = 'inproc' | 'ipc' | 'tcp';

/** Every transport, for tests that run over all of them. */
export const TRANSPORTS: readonly Transport[] = ['inproc', 'ipc', 'tcp'];

function uniqueName(label: string): string {
  return `ttq-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** An `inproc://` endpoint unique in this process (both sides must share the zeromq context). */
export function inprocEndpoint(label = 'bus'): string {
  return `inproc://${uniqueName(label)}`;
}

/** An `ipc://` endpoint in the OS temporary directory, unique per call. */
export function ipcEndpoint(label = 'bus'): string {
  // Unix socket paths are limited to ~107 bytes: keep the name short.
  return `ipc://${join(tmpdir(), `${uniqueName(label)}.sock`)}`;
}

/** A free TCP port on 127.0.0.1, found by letting the kernel pick one. */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`expected a TCP port, was ${String(address)}`))));
    });
  });
}

/** `tcp://127.0.0.1:<free port>`. A binder may also bind `tcp://127.0.0.1:*` and read the port back. */
export async function tcpEndpoint(): Promise<string> {
  return `tcp://127.0.0.1:${await freeTcpPort()}`;
}

/** A fresh endpoint of the given transport. */
export async function endpointFor(transport: Transport, label = 'bus'): Promise<string> {
  if (transport === 'inproc') return inprocEndpoint(label);
  if (transport === 'ipc') return ipcEndpoint(label);
  return tcpEndpoint();
}
