import { BusRemoteError, BusTimeoutError, Requester } from '@ttquant/bus';
import type { OrderEvent, PositionSnapshot } from '@ttquant/domain';
import { decodePayloadAt, ProtocolError, wire } from '@ttquant/protocol';

/** The `state` method of the gateway's control endpoint. */
export const STATE_METHOD = 'state';

/** A gateway's current view, decoded into domain objects. */
export interface GatewayState {
  /** The last event of every order it knows, in the order they were first seen. */
  readonly orders: readonly OrderEvent[];
  readonly positions: readonly PositionSnapshot[];
  /** Counters (`submitted`, `fills`, `denied`…) as decimal text. */
  readonly stats: Readonly<Record<string, string>>;
  /** Reconciled with the venue and routing orders. */
  readonly ready: boolean;
}

/** No gateway answered at the control endpoint in time. */
export class GatewayUnreachableError extends Error {
  override readonly name = 'GatewayUnreachableError';
  constructor(
    readonly endpoint: string,
    readonly timeoutMs: number,
  ) {
    super(`no answer from the gateway control endpoint ${endpoint} within ${timeoutMs} ms`);
  }
}

/** The gateway answered with an error (e.g. it owns another account). */
export class GatewayRefusedError extends Error {
  override readonly name = 'GatewayRefusedError';
  constructor(
    readonly endpoint: string,
    readonly remoteMessage: string,
  ) {
    super(`gateway at ${endpoint} refused: ${remoteMessage}`);
  }
}

/**
 * Asks the gateway at `endpoint` for its state (`wire.StateRequest` → `wire.StateSnapshot`).
 * @param account the account to ask about; empty for whatever the gateway owns
 * @throws GatewayUnreachableError when nothing answers in time
 * @throws GatewayRefusedError when the gateway answers with an error
 * @throws ProtocolError when the answer cannot be decoded
 */
export async function fetchGatewayState(endpoint: string, account: string, timeoutMs: number): Promise<GatewayState> {
  const requester = new Requester({ name: 'gateway-state', timeoutMs, linger: 0 });
  requester.connect(endpoint);
  let reply: Buffer;
  try {
    reply = await requester.request(STATE_METHOD, wire.StateRequest.encode({ account }).finish());
  } catch (error) {
    if (error instanceof BusTimeoutError) throw new GatewayUnreachableError(endpoint, timeoutMs);
    if (error instanceof BusRemoteError) throw new GatewayRefusedError(endpoint, error.remoteMessage);
    throw error;
  } finally {
    requester.close();
  }
  return decodeGatewayState(reply);
}

/**
 * Asks the gateway for its state until it answers, `timeoutMs` per attempt,
 * telling `onWaiting` of each unanswered attempt: a service that must not act
 * on a stale view (a strategy engine trading flat while the account holds a
 * position) waits for a gateway starting at the same time.
 * @returns the state, or undefined when `stop` fired first
 * @throws GatewayRefusedError when the gateway refuses (another account): waiting would not help
 */
export async function fetchGatewayStateWhenAvailable(
  endpoint: string,
  account: string,
  timeoutMs: number,
  stop: AbortSignal,
  onWaiting: (attempt: number) => void,
): Promise<GatewayState | undefined> {
  for (let attempt = 1; !stop.aborted; attempt++) {
    try {
      return await fetchGatewayState(endpoint, account, timeoutMs);
    } catch (error) {
      if (!(error instanceof GatewayUnreachableError)) throw error;
      onWaiting(attempt);
    }
  }
  return undefined;
}

/** Decodes a `StateSnapshot` reply into domain objects. */
export function decodeGatewayState(reply: Uint8Array): GatewayState {
  let snapshot: wire.StateSnapshot;
  try {
    snapshot = wire.StateSnapshot.decode(reply);
  } catch (error) {
    throw new ProtocolError('stateSnapshot', 'a protobuf-encoded StateSnapshot', `${reply.length} bytes (${String(error)})`);
  }
  // The snapshot carries bare messages; the payload codec decodes them once wrapped.
  const orders = snapshot.orders.map((orderEvent) => {
    const decoded = decodePayloadAt(wire.Payload.create({ orderEvent }), 0n, 0n);
    if (decoded.kind !== 'orderEvent') throw new ProtocolError('stateSnapshot.orders', 'an order event', decoded.kind);
    return decoded.value;
  });
  const positions = snapshot.positions.map((position) => {
    const decoded = decodePayloadAt(wire.Payload.create({ position }), 0n, 0n);
    if (decoded.kind !== 'position') throw new ProtocolError('stateSnapshot.positions', 'a position', decoded.kind);
    return decoded.value;
  });
  return { orders, positions, stats: { ...snapshot.stats }, ready: snapshot.ready };
}
