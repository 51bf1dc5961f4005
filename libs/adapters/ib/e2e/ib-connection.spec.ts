import { MAX_SUPPORTED_SERVER_VERSION } from '@stoqey/ib/dist/api/api';
import { systemClock, type VenueStatus } from '@ttquant/domain';
import { AuthenticationError, type ExecutionReport } from '@ttquant/gateway-api';
import { startFakeTws, type FakeTws } from '@ttquant/testing';
import { createIbAdapter, IbSessionRefusedError, type IbAdapter } from '../src';
import { EventLog } from './event-log';
import { FAST_RECONNECT, expectCleanSession } from './fake-tws-venue';

describe('IB connection against a fake TWS', () => {
  const cleanup: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  // Every fake and adapter is checked on cleanup: a decode error (IB 505) or a refused message fails the test.
  async function fakeTws(managedAccounts?: string[]): Promise<FakeTws> {
    const fake = await startFakeTws(managedAccounts ? { managedAccounts } : {});
    cleanup.push(async () => {
      await fake.close();
      expect(fake.clientErrors).toEqual([]);
    });
    return fake;
  }

  function adapter(fake: FakeTws, config: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): IbAdapter {
    const ib = createIbAdapter({ port: fake.port, clientId: 7, reconnect: FAST_RECONNECT, ...config }, { clock: systemClock }, { env });
    cleanup.push(async () => {
      await ib.dispose();
      expectCleanSession({ adapter: ib });
    });
    return ib;
  }

  it('speaks server version 193, the highest the pinned client supports', async () => {
    expect(MAX_SUPPORTED_SERVER_VERSION).toBe(193);
    const fake = await fakeTws();
    const ib = adapter(fake);
    await ib.execution.connect();
    expect(ib.connection.serverVersion).toBe(193);
    expect(ib.execution.account).toBe('DU1234567');
    expectCleanSession({ adapter: ib, fake });
  });

  it('refuses to start a paper adapter on a gateway that manages a live account', async () => {
    const fake = await fakeTws(['U7654321']);
    const ib = adapter(fake);
    const error = await ib.execution.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IbSessionRefusedError);
    expect((error as Error).message).toMatch(/expected a paper account \(DU\.\.\.\) on a paper connection, TWS manages U7\*\*\*\*21/);
    expect((error as Error).message).not.toContain('U7654321');
    expect(ib.connection.connectionState).toBe('DISCONNECTED');
  });

  it('takes DU and DF accounts as paper ones and nothing else starting with D', async () => {
    const odd = adapter(await fakeTws(['DX1234567']));
    await expect(odd.execution.connect()).rejects.toThrow(/expected a paper account \(DU\.\.\.\) on a paper connection, TWS manages DX\*\*\*\*67/);
    const advisor = adapter(await fakeTws(['DF1234567']), { clientId: 8 });
    await advisor.execution.connect();
    expect(advisor.execution.account).toBe('DF1234567');
  });

  it('refuses a live adapter whose IB_ACCOUNT is not among the managed accounts, and accepts the right one', async () => {
    const fake = await fakeTws(['U2222222', 'U3333333']);
    const wrong = adapter(fake, { live: true }, { IB_ACCOUNT: 'U1111111' });
    await expect(wrong.execution.connect()).rejects.toThrow(/expected account U1\*\*\*\*11 among the accounts TWS manages \(U2\*\*\*\*22, U3\*\*\*\*33\), it is not/);

    const right = adapter(fake, { live: true, clientId: 8 }, { IB_ACCOUNT: 'U3333333' });
    await right.execution.connect();
    expect(right.execution.account).toBe('U3333333');
    expect(right.execution.connectionState).toBe('CONNECTED');
  });

  it('refuses a paper adapter whose IB_ACCOUNT the gateway does not manage', async () => {
    const fake = await fakeTws(['DU1234567']);
    const ib = adapter(fake, {}, { IB_ACCOUNT: 'DU9999999' });
    await expect(ib.data.connect()).rejects.toBeInstanceOf(IbSessionRefusedError);
  });

  it('refuses to start with a client id another connection uses (IB 326)', async () => {
    const fake = await fakeTws();
    const first = adapter(fake);
    await first.execution.connect();
    const second = adapter(fake);
    const error = await second.execution.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/IB 326: client id 7 is already in use/);
    // A configuration mistake: no endless retrying against the other connection.
    expect(second.connection.connectionState).toBe('DISCONNECTED');
    expect(first.execution.connectionState).toBe('CONNECTED');
  });

  it(
    'recovers within 60 s of the gateway coming back with the default backoff',
    async () => {
      const fake = await fakeTws();
      // Default reconnect settings: nothing overridden.
      const ib = createIbAdapter({ port: fake.port, clientId: 9 }, { clock: systemClock }, { env: {} });
      cleanup.push(async () => {
        await ib.dispose();
        expectCleanSession({ adapter: ib });
      });
      const reports = new EventLog<ExecutionReport>();
      ib.execution.onReport(reports.push);
      const statuses = new EventLog<VenueStatus>();
      ib.data.onStatus(statuses.push);
      await ib.execution.connect();
      await ib.data.connect();

      const outageMs = 1_500;
      fake.refuseConnections(outageMs);
      fake.dropConnections('reset');
      await reports.waitFor(() => ib.execution.connectionState !== 'CONNECTED', 'the drop reported');
      const backAt = Date.now() + outageMs;
      await reports.waitFor(() => ib.execution.connectionState === 'CONNECTED', 'CONNECTED again', 65_000);
      await statuses.waitFor(() => ib.data.connectionState === 'CONNECTED', 'data CONNECTED again', 5_000);
      const recoveryMs = Date.now() - backAt;
      expect(recoveryMs).toBeLessThan(60_000);
      process.stdout.write(`IB default backoff: connected again ${recoveryMs} ms after the gateway came back\n`);
      expect(reports.events.some((e) => e.kind === 'status' && e.status.state === 'RECONNECTING')).toBe(true);
      expectCleanSession({ adapter: ib, fake });
    },
    70_000,
  );
});
