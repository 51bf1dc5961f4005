import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
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

/** The file behind an `ipc://` endpoint, or undefined for other transports (and abstract sockets). */
export function ipcPath(endpoint: string): string | undefined {
  if (!endpoint.startsWith('ipc://')) return undefined;
  const path = endpoint.slice('ipc://'.length);
  return path === '' || path.startsWith('@') || path === '*' ? undefined : path;
}

/**
 * Removes the socket file of an `ipc://` endpoint a closed socket had bound.
 * libzmq 4.3 leaves it behind; a later bind replaces it anyway, so this only
 * keeps the temporary directory clean. Best effort: never throws.
 */
export function removeIpcFile(endpoint: string): void {
  const path = ipcPath(endpoint);
  if (path === undefined) return;
  try {
    rmSync(path, { force: true });
  } catch {
    // Not ours to worry about: a missing file or a directory we cannot write.
  }
}
