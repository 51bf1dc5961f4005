import { endpointFor, freeTcpPort, inprocEndpoint, ipcEndpoint } from './endpoints';

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
