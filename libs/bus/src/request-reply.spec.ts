import { Long, wire } from '@ttquant/protocol';
import { TRANSPORTS, type Transport } from './endpoints';
import { BusClosedError, BusRemoteError, BusTimeoutError } from './errors';
import { REPLAY_METHOD, Replier, Requester, replayHandler } from './request-reply';
import { bindableEndpoint, craft } from './spec-helpers';
import { topics } from './topics';

describe.each(TRANSPORTS)('Requester ↔ Replier over %s', (transport: Transport) => {
  let replier: Replier;
  let requester: Requester;
  let serving: Promise<void>;
  let release: () => void;

  beforeEach(async () => {
    replier = new Replier();
    const endpoint = await replier.bind(bindableEndpoint(transport));
    const slow = new Promise<void>((resolve) => (release = resolve));
    serving = replier.serve({
      [REPLAY_METHOD]: replayHandler((request) => {
        if (request.fromSequence.toNumber() > request.toSequence.toNumber()) throw new RangeError('expected from ≤ to');
        const envelopes: Uint8Array[] = [];
        for (let s = request.fromSequence.toNumber(); s <= request.toSequence.toNumber(); s++) envelopes.push(craft({ sequence: s }));
        return { envelopes, lastSequence: request.toSequence };
      }),
      echo: (body) => body,
      slow: async (body) => {
        await slow;
        return body;
      },
    });
    requester = new Requester({ timeoutMs: 2000 });
    requester.connect(endpoint);
  });

  afterEach(async () => {
    release();
    requester.close();
    replier.close();
    await serving;
  });

  it('answers a replay request with protobuf bytes', async () => {
    const response = await requester.replay({
      topic: topics.order('DU1'),
      epoch: Long.fromString('1700000000000000000', true),
      fromSequence: Long.fromNumber(4, true),
      toSequence: Long.fromNumber(6, true),
    });
    expect(response).toBeInstanceOf(wire.ReplayResponse);
    expect(response.envelopes).toHaveLength(3);
    expect(response.lastSequence.toNumber()).toBe(6);
  });

  it('turns a handler error into a BusRemoteError and keeps serving', async () => {
    await expect(
      requester.replay({ topic: 'x', fromSequence: Long.fromNumber(9, true), toSequence: Long.fromNumber(1, true) }),
    ).rejects.toThrow(new BusRemoteError(REPLAY_METHOD, 'RangeError: expected from ≤ to'));
    await expect(requester.request('nope', new Uint8Array())).rejects.toBeInstanceOf(BusRemoteError);
    expect((await requester.request('echo', Buffer.from('still here'))).toString()).toBe('still here');
    expect(replier.stats()).toEqual({ requests: 3, errors: 1, malformed: 1 });
  });

  it('times out, recreates its socket and serves the next request', async () => {
    await expect(requester.request('slow', Buffer.from('late'), 100)).rejects.toThrow(new BusTimeoutError('slow', 100));
    release();
    expect((await requester.request('echo', Buffer.from('after timeout'))).toString()).toBe('after timeout');
    expect(requester.stats()).toEqual({ requests: 2, replies: 1, timeouts: 1, remoteErrors: 0 });
  });

  it('serialises concurrent requests', async () => {
    const replies = await Promise.all(['a', 'b', 'c'].map((text) => requester.request('echo', Buffer.from(text))));
    expect(replies.map(String)).toEqual(['a', 'b', 'c']);
  });
});

describe('Requester', () => {
  it('rejects requests after close', async () => {
    const requester = new Requester();
    requester.close();
    await expect(requester.request('echo', new Uint8Array())).rejects.toBeInstanceOf(BusClosedError);
  });
});
