import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_IB_CLIENT_ID, loadCliConfig } from '../cli-config';
import { UsageError } from '../cli-errors';

describe("ttq's [ib] configuration (for ttq backfill)", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ttq-ib-config-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("defaults to a paper IB Gateway on this host with ttq's own client id", () => {
    const { ib } = loadCliConfig({}, dir);
    expect(ib).toMatchObject({ host: '127.0.0.1', port: 4002, clientId: CLI_IB_CLIENT_ID, live: false, instruments: [] });
    expect(CLI_IB_CLIENT_ID).toBe(90);
  });

  it('reads [ib] from config/cli.toml, then TTQ_IB_* variables over it', () => {
    writeFileSync(
      join(dir, 'cli.toml'),
      ['[ib]', 'host = "tws.lan"', 'port = 7497', '', '[[ib.instruments]]', 'symbol = "ESU6"', 'secType = "FUT"', 'ibSymbol = "ES"', 'lastTradeDateOrContractMonth = "202609"'].join('\n'),
    );
    const { ib } = loadCliConfig({ TTQ_IB_PORT: '4002', TTQ_IB_CLIENT_ID: '33' }, dir);
    expect(ib).toMatchObject({ host: 'tws.lan', port: 4002, clientId: 33 });
    expect(ib.instruments).toEqual([{ symbol: 'ESU6', secType: 'FUT', ibSymbol: 'ES', lastTradeDateOrContractMonth: '202609' }]);
  });

  it('refuses a bad IB setting as a usage error naming the variable', () => {
    expect(() => loadCliConfig({ TTQ_IB_PORT: 'twelve' }, dir)).toThrow(UsageError);
    expect(() => loadCliConfig({ TTQ_IB_PORT: 'twelve' }, dir)).toThrow(/ib\.port: .*TTQ_IB_PORT/);
  });
});
