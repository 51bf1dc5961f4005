import { connect, type Socket } from 'node:net';
import { EventName } from '@stoqey/ib';
import { MAX_SUPPORTED_SERVER_VERSION } from '@stoqey/ib/dist/api/api';
import { fakeTwsHarness } from './fake-tws-harness';
import { ClientFrameReader, encodeClientHello, encodeFrame, type WireValue } from './framing';

const h = fakeTwsHarness();
afterEach(() => h.cleanup());

/** A raw TCP client speaking the framing by hand, for messages the pinned client would never send. */
async function rawClient(port: number, clientId: number): Promise<{ socket: Socket; send(fields: WireValue[]): void; next(predicate: (f: string[]) => boolean): Promise<string[]> }> {
  const socket = connect(port, '127.0.0.1');
  const frames: string[][] = [];
  const waiters: (() => void)[] = [];
  // The server's replies are plain frames; feed them to a reader primed with a synthetic hello.
  const reader = new ClientFrameReader();
  reader.push(encodeClientHello(100, 193));
  socket.on('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk)) if (f.kind === 'message') frames.push(f.fields);
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(encodeClientHello(100, 193));
  const next = (predicate: (f: string[]) => boolean): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw client timed out; frames so far ${JSON.stringify(frames)}`)), 3000);
      const check = (): void => {
        const index = frames.findIndex(predicate);
        if (index >= 0) {
          clearTimeout(timer);
          resolve(frames.splice(index, 1)[0] as string[]);
        } else waiters.push(check);
      };
      check();
    });
  await next((f) => f[0] === '193');
  socket.write(encodeFrame([71, 2, clientId, '']));
  await next((f) => f[0] === '9');
  return { socket, send: (fields) => socket.write(encodeFrame(fields)), next };
}

describe('fake TWS connection', () => {
  it('is a server the pinned client accepts at its maximum version 193', async () => {
    expect(MAX_SUPPORTED_SERVER_VERSION).toBe(193);
    const tws = await h.start({ managedAccounts: ['DU111', 'DU222'], firstOrderId: 5000 });
    const accounts: string[] = [];
    const client = await h.client(3, { waitReady: false });
    client.on(EventName.managedAccounts, (list: string) => accounts.push(list));
    const [orderId] = await client.next<[number]>(EventName.nextValidId);
    await client.until('the three farm notices', () => client.infos.length >= 3);
    expect(client.api.serverVersion).toBe(193);
    expect(orderId).toBe(5000);
    expect(accounts).toEqual(['DU111,DU222']);
    expect(client.infos.map((i) => i.code)).toEqual([2104, 2106, 2158]);
    expect(tws.connectionCount()).toBe(1);
  });

  it('claims an older configured version and the client follows it', async () => {
    const tws = await h.start({ serverVersion: 176 });
    const client = await h.client(1);
    expect(client.api.serverVersion).toBe(176);
    client.api.reqCurrentTime();
    const [time] = await client.next<[number]>(EventName.currentTime);
    expect(Math.abs(time - Date.now() / 1000)).toBeLessThan(5);
    expect(tws.clientErrors).toEqual([]);
  });

  it('refuses a version outside the modelled layouts with a clear error', async () => {
    await expect(h.start({ serverVersion: 201 })).rejects.toThrow('expected serverVersion between 176 and 193');
  });

  it('refuses a second client with the same id with error 326', async () => {
    const tws = await h.start();
    await h.client(4);
    const second = await h.client(4, { waitReady: false });
    await second.until('notice 326', () => second.infos.some((e) => e.code === 326));
    await second.next(EventName.disconnected);
    expect(tws.connectionCount()).toBe(1);
  });

  it('refuses a message with the wrong field count, records it, answers 320 and keeps the connection working', async () => {
    const tws = await h.start();
    const raw = await rawClient(tws.port, 9);
    // REQ_CURRENT_TIME is [49, 1]; one field too many.
    raw.send([49, 1, 'extra']);
    const error = await raw.next((f) => f[0] === '4' && f[3] === '320');
    expect(error.slice(0, 4)).toEqual(['4', '2', '-1', '320']);
    expect(error[4]).toContain('REQ_CURRENT_TIME: expected 2 fields, got 3');
    // A contract details request missing its issuerId: the request id is known, so the error goes to it.
    raw.send([9, 8, 77, 0, 'AAPL', 'STK', '', 0, '', '', 'SMART', '', 'USD', '', '', 0, '', '']);
    const addressed = await raw.next((f) => f[0] === '4' && f[3] === '320');
    expect(addressed.slice(2, 4)).toEqual(['77', '320']);
    raw.send([999, 1]);
    await raw.next((f) => f[0] === '4' && (f[4] ?? '').includes('message id 999'));
    raw.send([49, 1]);
    const time = await raw.next((f) => f[0] === '49');
    expect(Number(time[2])).toBeGreaterThan(1_600_000_000);
    expect(tws.clientErrors).toHaveLength(3);
    expect(tws.clientErrors[0]).toContain('REQ_CURRENT_TIME: expected 2 fields, got 3');
    expect(tws.clientErrors[1]).toContain('REQ_CONTRACT_DATA: expected at least 19 fields (next: issuerId), got 18');
    expect(tws.connectionCount()).toBe(1);
    raw.socket.destroy();
  });

  it('reassembles client frames split into single bytes and refuses a frame without its final NUL', async () => {
    const tws = await h.start();
    const raw = await rawClient(tws.port, 10);
    const frame = encodeFrame([49, 1]);
    for (const byte of frame) raw.socket.write(Buffer.of(byte));
    await raw.next((f) => f[0] === '49');
    const body = Buffer.from('49\u00001', 'utf8');
    const unterminated = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    raw.socket.write(unterminated);
    await raw.next((f) => f[0] === '4' && (f[4] ?? '').includes('expected the frame to end with a NUL'));
    raw.socket.destroy();
  });

  it('drops clients cleanly (FIN) and with a reset (RST)', async () => {
    const tws = await h.start();
    for (const mode of ['clean', 'reset'] as const) {
      const client = await h.client(mode === 'clean' ? 1 : 2);
      const gone = client.next(EventName.disconnected);
      tws.dropConnections(mode);
      await gone;
      expect(client.api.isConnected).toBe(false);
      if (mode === 'reset') expect(client.errors.some((e) => /ECONNRESET/.test(e.message))).toBe(true);
    }
    expect(tws.connectionCount()).toBe(0);
  });

  it('refuses connections for a while, then accepts them again', async () => {
    const tws = await h.start();
    tws.refuseConnections(300);
    const refused = await h.client(1, { waitReady: false });
    await refused.next(EventName.disconnected);
    expect(tws.connectionCount()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await h.client(1);
    expect(tws.connectionCount()).toBe(1);
  });

  it('restarts on the same port with the account intact', async () => {
    const tws = await h.start();
    const port = tws.port;
    const client = await h.client(1);
    client.api.placeOrder(1, { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, { action: 'BUY' as never, orderType: 'MKT' as never, totalQuantity: 5, transmit: true });
    await client.next(EventName.execDetails);
    const gone = client.next(EventName.disconnected);
    await tws.restart(100);
    await gone;
    expect(tws.port).toBe(port);
    const again = await h.client(1);
    again.api.reqPositions();
    const [account, contract, position] = await again.next<[string, { symbol: string }, number]>(EventName.position);
    expect([account, contract.symbol, position]).toEqual(['DU1234567', 'AAPL', 5]);
  });

  it('stays closed when closed while a restart is down', async () => {
    const tws = await h.start();
    const port = tws.port;
    const restarting = tws.restart(200);
    await tws.close();
    await restarting;
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('stalls: nothing is read or written until the stall ends, then everything arrives', async () => {
    const tws = await h.start();
    const client = await h.client(1);
    tws.stall(300);
    const startedAt = Date.now();
    client.api.reqCurrentTime();
    await client.next(EventName.currentTime, undefined, 2000);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
  });

  it('splits writes into single bytes and the client still decodes every message', async () => {
    const tws = await h.start();
    const client = await h.client(1);
    tws.splitWrites(true);
    client.api.reqContractDetails(1, { symbol: 'ES', secType: 'FUT' as never, exchange: 'CME', currency: 'USD' });
    const [, details] = await client.next<[number, { contract: { conId: number } }]>(EventName.contractDetails);
    expect(details.contract.conId).toBe(495512563);
    client.api.placeOrder(1, { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, { action: 'BUY' as never, orderType: 'MKT' as never, totalQuantity: 1, transmit: true });
    const [, , execution] = await client.next<[number, unknown, { shares: number }]>(EventName.execDetails);
    expect(execution.shares).toBe(1);
    tws.splitWrites(false);
  });

  it('sends notices to every client; 1101 drops market data subscriptions, 2103/2104 pause and resume data', async () => {
    const tws = await h.start({ quoteIntervalMs: 10 });
    const a = await h.client(1);
    const b = await h.client(2);
    let ticks = 0;
    a.on(EventName.tickPrice, () => ticks++);
    a.api.reqMktData(1, { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' }, '', false, false);
    await a.until('ticks', () => ticks > 10);
    for (const code of [1100, 1102, 2105, 2106, 2103]) tws.sendNotice(code);
    await b.until('five notices', () => b.infos.length >= 3 + 5);
    expect(b.infos.slice(3).map((i) => i.code)).toEqual([1100, 1102, 2105, 2106, 2103]);
    await a.until('notices on the subscriber', () => a.infos.length >= 8);
    const paused = ticks;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ticks).toBe(paused);
    tws.sendNotice(2104);
    await a.until('ticks after 2104', () => ticks > paused + 5);
    tws.sendNotice(1101);
    await a.until('1101', () => a.infos.some((i) => i.code === 1101));
    const afterLoss = ticks;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ticks).toBe(afterLoss);
    tws.sendNotice(10197, 'custom text', 1);
    const [error] = await a.next<[Error, number, number]>(EventName.error, (_e, code) => code === 10197);
    expect(error.message).toBe('custom text');
  });
});
