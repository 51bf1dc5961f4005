import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { endpointFor, freeTcpPort, inprocEndpoint, ipcEndpoint, ipcPath } from './endpoints';
import { Subscriber } from './subscriber';

describe('endpoints', () => {
  it('makes unique endpoints per call', async () => {
    expect(inprocEndpoint()).not.toBe(inprocEndpoint());
    expect(ipcEndpoint()).toMatch(/^ipc:\/\/.+\.sock$/);
    expect(ipcEndpoint().length).toBeLessThan(100);
    expect(await endpointFor('tcp')).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(await endpointFor('inproc')).toMatch(/^inproc:\/\//);
  });

  it('finds free TCP ports outside the ephemeral range, never the same one twice', async () => {
    const ports = [];
    for (let i = 0; i < 40; i++) ports.push(await freeTcpPort());
    expect(new Set(ports).size).toBe(40);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_768);
    }
  });

  it('skips a port something listens on', async () => {
    // A port in the range taken by someone else (not handed out by freeTcpPort).
    const server = createServer();
    let taken = 0;
    for (let candidate = 31_000; taken === 0; candidate++) {
      taken = await new Promise<number>((resolve) => {
        server.once('error', () => resolve(0));
        server.listen(candidate, '127.0.0.1', () => resolve(candidate));
      });
    }
    try {
      const spy = jest.spyOn(Math, 'random');
      // The first pick lands on the taken port, the next on another one.
      spy.mockReturnValueOnce((taken - 20_000) / 12_768 + 1e-9);
      const port = await freeTcpPort();
      spy.mockRestore();
      expect(port).not.toBe(taken);
    } finally {
      server.close();
    }
  });
});

describe('ipc socket files', () => {
  it('are removed when the socket that bound them closes (libzmq leaves them behind)', async () => {
    const subscriber = new Subscriber();
    const endpoint = await subscriber.bind(ipcEndpoint('cleanup'));
    const path = ipcPath(endpoint) as string;
    expect(existsSync(path)).toBe(true);
    subscriber.close();
    expect(existsSync(path)).toBe(false);
  });

  it('belong only to ipc endpoints with a path', () => {
    expect(ipcPath('ipc:///tmp/x.sock')).toBe('/tmp/x.sock');
    expect(ipcPath('ipc://@abstract')).toBeUndefined();
    expect(ipcPath('tcp://127.0.0.1:5555')).toBeUndefined();
  });
});
