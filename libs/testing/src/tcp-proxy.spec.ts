import { connect, createServer, type Server, type Socket } from 'node:net';
import { waitFor } from './service-process';
import { TcpProxy } from './tcp-proxy';

/** An echo server that also records what it received. */
async function echoServer(): Promise<{ server: Server; port: number; received: () => string }> {
  let received = '';
  const server = createServer((socket) => {
    socket.on('data', (chunk) => {
      received += chunk.toString();
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, received: () => received };
}

/** A client that collects what comes back and whether the connection ended. */
async function client(port: number): Promise<{ socket: Socket; got: () => string; closed: () => boolean }> {
  const socket = connect(port, '127.0.0.1');
  let got = '';
  let closed = false;
  socket.on('data', (chunk) => (got += chunk.toString()));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, got: () => got, closed: () => closed };
}

describe('TcpProxy', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let proxy: TcpProxy;

  beforeEach(async () => {
    echo = await echoServer();
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: echo.port });
  });
  afterEach(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.server.close(resolve));
  });

  it('forwards both ways', async () => {
    const c = await client(proxy.port);
    c.socket.write('hello');
    await waitFor(() => c.got() === 'hello', 'the echo', 2_000, 5);
    expect(proxy.stats).toEqual({ accepted: 1, refused: 0, open: 1 });
    c.socket.destroy();
  });

  it('holds the server’s answers while the request still reaches it, then passes them on', async () => {
    const c = await client(proxy.port);
    proxy.holdResponses();
    c.socket.write('copy');
    await waitFor(() => echo.received() === 'copy', 'the request at the server', 2_000, 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.got()).toBe('');
    proxy.releaseResponses();
    await waitFor(() => c.got() === 'copy', 'the held answer', 2_000, 5);
    c.socket.destroy();
  });

  it('cuts every connection and refuses new ones until resumed', async () => {
    const c = await client(proxy.port);
    proxy.cut();
    await waitFor(() => c.closed(), 'the open connection to be dropped', 2_000, 5);
    // Refused: reset at once, which the client may see before or after its connect completes.
    const refused = connect(proxy.port, '127.0.0.1');
    let refusedClosed = false;
    refused.on('error', () => undefined).on('close', () => (refusedClosed = true));
    await waitFor(() => refusedClosed, 'a new connection to be refused', 2_000, 5);
    expect(proxy.stats).toMatchObject({ refused: 1, open: 0 });
    proxy.resume();
    const again = await client(proxy.port);
    again.socket.write('back');
    await waitFor(() => again.got() === 'back', 'the echo after resume', 2_000, 5);
    again.socket.destroy();
  });
});
