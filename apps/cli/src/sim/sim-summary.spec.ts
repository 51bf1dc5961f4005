import { Decimal, type Heartbeat, type PositionSnapshot } from '@ttquant/domain';
import { buildSummary, pnlText, renderSummary, type SummaryInputs } from './sim-summary';

const beat = (service: string, info: Record<string, string>, state: Heartbeat['state'] = 'STOPPED'): Heartbeat => ({
  service,
  instance: `${service}-1`,
  state,
  uptimeMs: 20_000,
  info,
});

const position = (symbol: string, realized: string, currency = 'USD'): PositionSnapshot => ({
  account: 'SIM001',
  instrument: { venue: 'SIM', symbol },
  quantity: Decimal.ZERO,
  avgPrice: Decimal.ZERO,
  realizedPnl: Decimal.parse(realized),
  unrealizedPnl: Decimal.ZERO,
  currency,
});

function inputs(overrides: Partial<SummaryInputs> = {}): SummaryInputs {
  return {
    account: 'SIM001',
    runId: '20250301-120000-ab12',
    runDir: '/tmp/run',
    database: 'ttq_sim_20250301_120000_ab12',
    durationSeconds: 20,
    heartbeats: {
      'market-data': beat('market-data', { ticksPublished: '2306', venues: 'SIM' }),
      gateway: beat('gateway', { orders: '45', fills: '52', closingFills: '27' }),
      'strategy-engine': beat('strategy-engine', { gaps: '0', ordersSent: '45' }),
      persistence: beat('persistence', { gaps: '0', rowsWritten: '9000' }),
    },
    positions: [position('ACME', '3.94'), position('BTC-USD', '-1.5')],
    stored: {
      counts: { ticks: 2306, orders: 45, orderEvents: 140, fills: 52 },
      realizedPnlFromStoredFills: new Map([['USD', '2.440000000000']]),
    },
    ...overrides,
  };
}

describe('buildSummary', () => {
  it('takes published figures from final heartbeats and stored ones from the database', () => {
    const summary = buildSummary(inputs());
    expect(summary).toMatchObject({
      ticksPublished: 2306,
      ticksStored: 2306,
      ordersSubmitted: 45,
      ordersStored: 45,
      fills: 52,
      fillsStored: 52,
      closingFills: 27,
      gaps: 0,
      realizedPnl: '2.4400',
      realizedPnlFromStoredFills: '2.4400',
      pnlCurrency: 'USD',
      problems: [],
    });
  });

  it('names every figure that does not add up', () => {
    const summary = buildSummary(
      inputs({
        heartbeats: {
          ...inputs().heartbeats,
          persistence: beat('persistence', { gaps: '2' }),
          gateway: beat('gateway', { orders: '45', fills: '52', closingFills: '27' }, 'READY'),
        },
        stored: { counts: { ticks: 2300, orders: 45, orderEvents: 1, fills: 51 }, realizedPnlFromStoredFills: new Map([['USD', '2.45']]) },
      }),
    );
    expect(summary.gaps).toBe(2);
    expect(summary.problems).toEqual([
      'no final heartbeat from gateway (last state READY): its figures may be stale',
      'ticks: published 2306 but stored 2300',
      'fills: made 52 but stored 51',
      'realised PnL: from the gateway 2.4400 but from stored fills 2.4500',
      '2 sequence gap(s) were detected',
    ]);
  });

  it('leaves unknown figures null and says why', () => {
    const summary = buildSummary(inputs({ heartbeats: { ...inputs().heartbeats, 'market-data': undefined }, stored: undefined }));
    expect(summary.ticksPublished).toBeNull();
    expect(summary.ticksStored).toBeNull();
    expect(summary.realizedPnlFromStoredFills).toBeNull();
    expect(summary.problems).toEqual(
      expect.arrayContaining(['no heartbeat from market-data, so ticksPublished is unknown', 'the database could not be read, so nothing stored is known']),
    );
  });

  it('renders one line per figure with the stored figure beside it', () => {
    const text = renderSummary(buildSummary(inputs()));
    expect(text).toContain('ticks          published 2306, stored 2306  ok');
    expect(text).toContain('realised PnL   2.4400 USD (gateway), 2.4400 USD (stored fills)  ok');
    expect(text).not.toContain('problems');
  });
});

describe('pnlText', () => {
  it('prints one currency as a bare decimal with four places, several with their codes', () => {
    expect(pnlText(new Map())).toBe('0.0000');
    expect(pnlText(new Map([['USD', Decimal.parse('1.23456')]]))).toBe('1.2346');
    expect(pnlText(new Map([['USD', Decimal.parse('1')], ['EUR', Decimal.parse('-2.5')]]))).toBe('-2.5000 EUR, 1.0000 USD');
  });
});
