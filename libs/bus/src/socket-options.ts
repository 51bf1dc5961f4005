/**
 * CURVE keys (Z85 text, from `zeromq.curveKeyPair()`). A server holds its own
 * key pair; a client holds its own pair and the server's public key. Used
 * across hosts; on one host the bus may run in plain text.
 */
export type CurveSecurity =
  | { readonly role: 'server'; readonly publicKey: string; readonly secretKey: string }
  | { readonly role: 'client'; readonly publicKey: string; readonly secretKey: string; readonly serverKey: string };

/**
 * ZeroMQ socket settings shared by every bus socket. Unset values keep the
 * bus defaults below, which differ from libzmq's where noted.
 */
export interface SocketOptions {
  /** Messages queued per peer before PUB drops / PUSH blocks. Default 100 000 (libzmq: 1000). */
  readonly sendHighWaterMark?: number;
  /** Messages queued per peer on the receiving side. Default 100 000 (libzmq: 1000). */
  readonly receiveHighWaterMark?: number;
  /** Milliseconds unsent messages are kept after close. Default 1000 (libzmq: forever, which hangs exits). */
  readonly linger?: number;
  /** First reconnect delay in milliseconds. Default 100. */
  readonly reconnectInterval?: number;
  /** Upper bound of the doubling reconnect delay; 0 disables back-off. Default 5000. */
  readonly reconnectMaxInterval?: number;
  /** Queue only to completed connections (round-robin sockets: do not strand messages on a dead peer). */
  readonly immediate?: boolean;
  /** Drop larger inbound messages and disconnect the peer; -1 for no limit (default). */
  readonly maxMessageSize?: number;
  /** Optional CURVE encryption and authentication. */
  readonly curve?: CurveSecurity;
}

/** The bus defaults for {@link SocketOptions}. */
export const DEFAULT_SOCKET_OPTIONS = {
  sendHighWaterMark: 100_000,
  receiveHighWaterMark: 100_000,
  linger: 1000,
  reconnectInterval: 100,
  reconnectMaxInterval: 5000,
} as const;

/** Which high-water marks a zeromq socket type has (zeromq.js rejects options a type lacks). */
export type SocketDirection = 'send' | 'receive' | 'both';

/** The constructor options of a zeromq socket built from {@link SocketOptions}. */
export function zmqSocketOptions(options: SocketOptions | undefined, direction: SocketDirection): Record<string, unknown> {
  const out: Record<string, unknown> = {
    linger: options?.linger ?? DEFAULT_SOCKET_OPTIONS.linger,
    reconnectInterval: options?.reconnectInterval ?? DEFAULT_SOCKET_OPTIONS.reconnectInterval,
    reconnectMaxInterval: options?.reconnectMaxInterval ?? DEFAULT_SOCKET_OPTIONS.reconnectMaxInterval,
  };
  if (direction !== 'receive') out['sendHighWaterMark'] = options?.sendHighWaterMark ?? DEFAULT_SOCKET_OPTIONS.sendHighWaterMark;
  if (direction !== 'send') out['receiveHighWaterMark'] = options?.receiveHighWaterMark ?? DEFAULT_SOCKET_OPTIONS.receiveHighWaterMark;
  if (options?.immediate !== undefined) out['immediate'] = options.immediate;
  if (options?.maxMessageSize !== undefined) out['maxMessageSize'] = options.maxMessageSize;
  const curve = options?.curve;
  if (curve) {
    out['curvePublicKey'] = curve.publicKey;
    out['curveSecretKey'] = curve.secretKey;
    if (curve.role === 'server') out['curveServer'] = true;
    else out['curveServerKey'] = curve.serverKey;
  }
  return out;
}

/** True for the error zeromq.js raises when a socket already has a send (or receive) in progress. */
export function isBusy(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EBUSY';
}
