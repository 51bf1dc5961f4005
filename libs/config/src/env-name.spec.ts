import { envNameFor } from './env-name';

describe('envNameFor', () => {
  it.each([
    ['bus.hwm', 'TTQ_BUS_HWM'],
    ['bus.sendHwm', 'TTQ_BUS_SEND_HWM'],
    ['service.httpPort', 'TTQ_SERVICE_HTTP_PORT'],
    ['ib.clientID', 'TTQ_IB_CLIENT_ID'],
    ['adapters.ccxt.apiURLOverride', 'TTQ_ADAPTERS_CCXT_API_URL_OVERRIDE'],
    ['risk.max-orders', 'TTQ_RISK_MAX_ORDERS'],
    ['bar1m.count', 'TTQ_BAR1M_COUNT'],
  ])('%s -> %s', (key, name) => {
    expect(envNameFor(key)).toBe(name);
  });
});
