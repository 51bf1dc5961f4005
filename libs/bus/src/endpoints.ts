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

/**
 * Ports are picked below Linux's default ephemeral range (32768–60999): a port
 * the kernel picks for `listen(0)` comes from that range, where it may be given
 * to an outgoing connection (a database or bus client) between the moment it is
 * found free and the moment a child process binds it.
 */
const PICK_FROM = 20_000;
const PICK_TO = 32_767;
/** Ports already handed out by this process, never handed out twice. */
const issued = new Set<number>();

function listensOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A free TCP port on 127.0.0.1 for a test or a local stack: a random one
 * outside the ephemeral range that nothing listens on and this process has not
 * handed out before; the kernel's pick when none is found.
 */
export async function freeTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = PICK_FROM + Math.floor(Math.random() * (PICK_TO - PICK_FROM + 1));
    if (issued.has(candidate)) continue;
    if ((await listensOn(candidate)) === candidate) {
      issued.add(candidate);
      return candidate;
    }
  }
  const port = await listensOn(0);
  if (port === undefined || port <= 0) throw new Error('expected the kernel to pick a free TCP port on 127.0.0.1, it picked none');
  issued.add(port);
  return port;
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
