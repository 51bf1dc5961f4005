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

  it('finds a free TCP port', async () => {
    const port = await freeTcpPort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
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
