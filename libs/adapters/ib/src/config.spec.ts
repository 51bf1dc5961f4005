import { describeIbConfig, IbConfigError, loadIbConfig, looksLikeIbAccountId, maskAccount } from './config';

describe('loadIbConfig', () => {
  it('defaults to a paper gateway on localhost with documented settings', () => {
    const config = loadIbConfig({}, {});
    expect(config).toMatchObject({
      venue: 'IB',
      host: '127.0.0.1',
      port: 4002,
      clientId: 1,
      live: false,
      account: '',
      marketDataType: 'realtime',
      reconnect: { initialDelayMs: 500, maxDelayMs: 15_000, jitter: 0.2 },
    });
    expect(config.requestIdBase).toBeGreaterThanOrEqual(1_000_000);
  });

  it('fills instrument defaults: pairs split into symbol and currency, exchanges per security type', () => {
    const config = loadIbConfig(
      {
        instruments: [
          { symbol: 'EUR.USD', secType: 'CASH' },
          { symbol: 'BTC.USD', secType: 'CRYPTO' },
          { symbol: 'ESH5', secType: 'FUT', ibSymbol: 'ES', lastTradeDateOrContractMonth: '202503' },
          { symbol: 'AAPL', secType: 'STK', primaryExchange: 'NASDAQ' },
        ],
      },
      {},
    );
    expect(config.instruments.map((i) => [i.ibSymbol, i.currency, i.exchange])).toEqual([
      ['EUR', 'USD', 'IDEALPRO'],
      ['BTC', 'USD', 'PAXOS'],
      ['ES', 'USD', 'CME'],
      ['AAPL', 'USD', 'SMART'],
    ]);
  });

  it('reads the account from IB_ACCOUNT and never shows it whole', () => {
    const config = loadIbConfig({}, { IB_ACCOUNT: 'DU7654321' });
    expect(config.account).toBe('DU7654321');
    expect(maskAccount(config.account)).toBe('DU****21');
    expect(JSON.stringify(describeIbConfig(config))).not.toContain('DU7654321');
  });

  it.each([
    [{ port: 7496 }, {}, /expected a paper port \(7497 or 4002\) without live = true, was the live port 7496/],
    [{ port: 4001 }, { IB_ACCOUNT: 'U1234567' }, /was the live port 4001/],
    [{ live: true, port: 4001 }, {}, /missing secret: set IB_ACCOUNT/],
    [{ live: true, port: 4002 }, { IB_ACCOUNT: 'U1234567' }, /expected a live port with live = true \(7496 or 4001\), was the paper port 4002/],
  ])('refuses a paper/live mix-up: %j', (input, env, message) => {
    expect(() => loadIbConfig(input, env)).toThrow(message);
    expect(() => loadIbConfig(input, env)).toThrow(IbConfigError);
  });

  it('accepts live with its port and account', () => {
    expect(loadIbConfig({ live: true, port: 7496 }, { IB_ACCOUNT: 'U1234567' })).toMatchObject({ live: true, account: 'U1234567' });
  });

  it.each([
    [{ clientId: -1 }, /clientId/],
    [{ port: 'abc' }, /port/],
    [{ marketDataType: 'live' }, /marketDataType/],
    [{ reconnect: { initialDelayMs: 5000, maxDelayMs: 100 } }, /initialDelayMs <= reconnect.maxDelayMs/],
    [{ reconnect: { jitter: 2 } }, /reconnect.jitter/],
    [{ instruments: [{ symbol: 'X', secType: 'OPT' }] }, /secType one of STK, ETF, FUT, CASH, CRYPTO, IND, was "OPT"/],
    [{ instruments: [{ symbol: 'ESH5', secType: 'FUT' }] }, /lastTradeDateOrContractMonth \(YYYYMM\) for the future ESH5/],
    [{ instruments: [{ symbol: 'A', secType: 'STK', exchnage: 'SMART' }] }, /found exchnage/],
    [{ hots: 'x' }, /hots/],
  ])('names the bad key: %j', (input, message) => {
    expect(() => loadIbConfig(input, {})).toThrow(message);
  });
});

describe('looksLikeIbAccountId', () => {
  it.each(['DU1234567', 'U1234567', 'DF123456', 'F1234567', 'I123456'])('takes %s for an IB account id', (name) => {
    expect(looksLikeIbAccountId(name)).toBe(true);
  });

  it.each(['ib-paper', 'IBPAPER1', 'SIM001', 'DU', 'U12', 'du1234567', 'XU1234567'])('takes %s for a name of TTQuant', (name) => {
    expect(looksLikeIbAccountId(name)).toBe(false);
  });
});
