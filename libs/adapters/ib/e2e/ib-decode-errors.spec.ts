import { createServer, type Server, type Socket } from 'node:net';
import { systemClock } from '@ttquant/domain';
import { createIbAdapter } from '../src';
import { expectCleanSession } from './fake-tws-venue';

/** A TWS frame: 4-byte big-endian length, the fields joined by NUL, a final NUL. */
function frame(fields: readonly string[]): Buffer {
  const body = Buffer.from(`${fields.join('\0')}\0`, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

/**
 * A minimal server that shakes hands like TWS, starts the session, then sends
 * one message with a field missing: the pinned client reports it as error 505.
 */
async function brokenTws(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket: Socket) => {
    let handshaken = false;
    socket.on('data', () => {
      if (handshaken) return;
      handshaken = true;
      socket.write(frame(['193', '20250102 09:30:00 EST']));
      // START_API arrives next; answer it as TWS does, then a TICK_PRICE without its size and mask.
      setTimeout(() => {
        socket.write(frame(['15', '1', 'DU1234567']));
        socket.write(frame(['9', '1', '1']));
        socket.write(frame(['1', '3', '1000000001', '1']));
      }, 20);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

describe('IB decode errors', () => {
  it('counts a message the pinned client cannot decode (505), which fails the clean-session check every test makes', async () => {
    const { server, port } = await brokenTws();
    const ib = createIbAdapter({ port, clientId: 5 }, { clock: systemClock }, { env: {} });
    const reported = new Promise<void>((resolve) => {
      ib.connection.on('error', (_error, code) => {
        if (code === 505) resolve();
      });
    });
    try {
      await ib.data.connect();
      await reported;
      expect(ib.connection.decodeErrors).toBe(1);
      expect(() => expectCleanSession({ adapter: ib })).toThrow(/1 decode error\(s\) \(IB 505\)/);
    } finally {
      await ib.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
