import { REPLAY_METHOD, replayHandler, type Replier } from '@ttquant/bus';
import type { ExecutionEngine } from '@ttquant/execution';
import { encodeOrderEvent, encodePosition, ProtocolError, wire } from '@ttquant/protocol';
import { STATE_METHOD, type JournaledPublisher } from '@ttquant/service-bus';

/**
 * Answers `replay` (from the journal: persistence and strategies recovering
 * gaps) and `state` (every order's last event, positions, counters: `ttq
 * orders`, `ttq positions`) on the gateway's REP socket.
 */
export function serveControl(replier: Replier, engine: ExecutionEngine, out: JournaledPublisher, account: string): Promise<void> {
  return replier.serve({
    [REPLAY_METHOD]: replayHandler((request) => out.replay(request)),
    [STATE_METHOD]: (body) => {
      let request: wire.StateRequest;
      try {
        request = wire.StateRequest.decode(body);
      } catch (error) {
        throw new ProtocolError('stateRequest', 'a protobuf-encoded StateRequest', `${body.length} bytes (${String(error)})`);
      }
      if (request.account !== '' && request.account !== account) {
        throw new Error(`this gateway owns account ${account}, not ${request.account}`);
      }
      const stats: Record<string, string> = {};
      for (const [key, value] of Object.entries(engine.stats)) stats[key] = String(value);
      return wire.StateSnapshot.encode({
        orders: engine.lastEvents().map(encodeOrderEvent),
        positions: engine.positionSnapshots().map(encodePosition),
        stats,
        ready: engine.ready,
      }).finish();
    },
  });
}
