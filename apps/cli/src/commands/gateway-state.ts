import { BusRemoteError, BusTimeoutError, Requester } from '@ttquant/bus';
import type { OrderEvent, PositionSnapshot } from '@ttquant/domain';
import { decodePayloadAt, ProtocolError, wire } from '@ttquant/protocol';
import type { CliConfig } from '../cli-config';
import { OperationFailedError, UnreachableError } from '../cli-errors';

/** The `state` method of the gateway's control endpoint (apps/gateway control-server). */
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

/**
 * Asks the gateway for its state (`wire.StateRequest` → `wire.StateSnapshot`).
 * @param account the account to ask about; empty for whatever the gateway owns
 * @throws UnreachableError when the control endpoint does not answer in time
 * @throws OperationFailedError when the gateway answers with an error (e.g. another account)
 */
export async function fetchGatewayState(config: CliConfig, account: string, timeoutMs = config.cli.requestTimeout): Promise<GatewayState> {
  const endpoint = config.cli.gatewayControl;
  const requester = new Requester({ name: 'ttq-control', timeoutMs, linger: 0 });
  requester.connect(endpoint);
  let reply: Buffer;
  try {
    reply = await requester.request(STATE_METHOD, wire.StateRequest.encode({ account }).finish());
  } catch (error) {
    if (error instanceof BusTimeoutError) {
      throw new UnreachableError('gateway control endpoint', endpoint, `no answer within ${timeoutMs} ms (is the gateway running? set cli.gatewayControl or TTQ_CLI_GATEWAY_CONTROL)`);
    }
    if (error instanceof BusRemoteError) throw new OperationFailedError(`gateway at ${endpoint} refused: ${error.remoteMessage}`);
    throw error;
  } finally {
    requester.close();
  }
  return decodeState(reply);
}

/** Decodes a `StateSnapshot` reply into domain objects. */
export function decodeState(reply: Uint8Array): GatewayState {
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
