import { Decimal, type Instrument, type OrderSpec } from '@ttquant/domain';
import {
  DuplicateOrderError,
  InvalidOrderError,
  OrderNotFoundError,
  UnknownInstrumentError,
  type ExecutionReport,
  type VenueOrderReport,
} from '@ttquant/gateway-api';
import { ManualScheduler } from './scheduler';
import { SimVenue, type SimQuote } from './sim-venue';

const d = (text: string): Decimal => Decimal.parse(text);
const text = (value: Decimal | undefined): string | undefined => value?.normalize().toString();

const acme: Instrument = {
  id: { venue: 'SIM', symbol: 'ACME' },
  venueInstrumentId: 'ACME',
  assetClass: 'EQUITY',
  exchange: 'SIM',
  currency: 'USD',
  baseCurrency: '',
  multiplier: Decimal.ONE,
  tickSize: d('0.01'),
  lotSize: d('1'),
  minQuantity: d('1'),
  description: '',
};

const START = 1_700_000_000_000_000_000n;
let seq = 0;

function setup(fees = { makerBps: Decimal.ZERO, takerBps: Decimal.ZERO, perUnit: Decimal.ZERO, scale: 8 }, slippageTicks = 0) {
  const scheduler = new ManualScheduler(START);
  const venue = new SimVenue({
    venue: 'SIM',
    instruments: [acme],
    accounts: [{ account: 'A1', balances: [{ currency: 'USD', amount: d('10000') }] }],
    slippage: { ticks: slippageTicks, bps: Decimal.ZERO },
    fees,
    clock: scheduler,
    scheduler,
  });
  const reports: ExecutionReport[] = [];
  venue.attachExecution('A1', { report: (r) => reports.push(r), link: () => undefined });
  const orders = (id: string): VenueOrderReport[] =>
    reports.filter((r): r is VenueOrderReport => r.kind === 'order' && r.clientOrderId === id);
  const last = (id: string): VenueOrderReport | undefined => orders(id).at(-1);
  const fills = (id: string) => reports.flatMap((r) => (r.kind === 'fill' && r.fill.clientOrderId === id ? [r.fill] : []));
  return { venue, scheduler, reports, orders, last, fills };
}

function market(bid: string, bidSize: string, ask: string, askSize: string): SimQuote {
  return { bid: d(bid), bidSize: d(bidSize), ask: d(ask), askSize: d(askSize) };
}

function spec(overrides: Partial<OrderSpec>): OrderSpec {
  seq += 1;
  return {
    clientOrderId: `T${seq}`,
    account: 'A1',
    instrument: acme.id,
    side: 'BUY',
    type: 'MARKET',
    quantity: d('10'),
    timeInForce: 'GTC',
    reduceOnly: false,
    postOnly: false,
    outsideRth: false,
    strategyId: 'test',
    tags: {},
    ...overrides,
  };
}

describe('SimVenue', () => {
  it('fills a market order at the touch, reporting fill before status, and keeps exec ids unique', () => {
    const { venue, reports, last, fills } = setup();
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    const a = spec({});
    const b = spec({ side: 'SELL' });
    venue.submit('A1', a);
    venue.submit('A1', b);

    expect(last(a.clientOrderId)?.status).toBe('FILLED');
    expect(text(last(a.clientOrderId)?.avgFillPrice)).toBe('100.01');
    expect(text(fills(b.clientOrderId)[0].price)).toBe('99.99');
    const kinds = reports.filter((r) => r.kind === 'fill' || (r.kind === 'order' && r.status === 'FILLED')).map((r) => r.kind);
    expect(kinds).toEqual(['fill', 'order', 'fill', 'order']);
    const execIds = reports.flatMap((r) => (r.kind === 'fill' ? [r.fill.execId] : []));
    expect(new Set(execIds).size).toBe(2);
    expect(execIds.every((id) => /^[A-Za-z0-9]+$/.test(id))).toBe(true);
  });

  it('charges fees in the instrument currency and moves cash by notional and fee', () => {
    const { venue, fills } = setup({ makerBps: d('1'), takerBps: d('10'), perUnit: d('0.01'), scale: 8 });
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    const buy = spec({});
    venue.submit('A1', buy);
    const [fill] = fills(buy.clientOrderId);
    // 10 × 100.01 = 1000.1 × 10 bps = 1.0001, + 10 × 0.01 = 1.1001
    expect([text(fill.commission), fill.commissionCurrency, fill.liquidity]).toEqual(['1.1001', 'USD', 'TAKER']);
    const usd = venue.accountState('A1').balances.find((b) => b.currency === 'USD');
    expect(text(usd?.cash)).toBe(text(d('10000').sub(d('1000.1')).sub(d('1.1001'))));
    // Equity marks the 10 shares at the mid, 100.00.
    expect(text(usd?.equity)).toBe(text(d('10000').sub(d('1000.1')).sub(d('1.1001')).add(d('1000'))));
  });

  it('worsens market fills by the configured slippage', () => {
    const { venue, fills } = setup(undefined, 2);
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    const buy = spec({});
    venue.submit('A1', buy);
    expect(text(fills(buy.clientOrderId)[0].price)).toBe('100.03');
  });

  it('keeps a market order working when the displayed size runs out, filling it on the next quotes', () => {
    const { venue, last } = setup();
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '4'));
    const buy = spec({});
    venue.submit('A1', buy);
    expect([last(buy.clientOrderId)?.status, text(last(buy.clientOrderId)?.filledQuantity)]).toEqual(['PARTIALLY_FILLED', '4']);
    // Consumed size stays consumed until a new quote: a second order finds nothing.
    const other = spec({ clientOrderId: 'OTHER1', type: 'LIMIT', limitPrice: d('100.01') });
    venue.submit('A1', other);
    expect(last(other.clientOrderId)?.status).toBe('ACCEPTED');
    venue.setMarket(acme.id, market('99.99', '100', '100.02', '5'));
    expect([last(buy.clientOrderId)?.status, text(last(buy.clientOrderId)?.filledQuantity)]).toEqual(['PARTIALLY_FILLED', '9']);
    venue.setMarket(acme.id, market('99.99', '100', '100.02', '5'));
    expect(last(buy.clientOrderId)?.status).toBe('FILLED');
    expect(text(last(buy.clientOrderId)?.avgFillPrice)).toBe(text(d('100.01').mul(d('4')).add(d('100.02').mul(d('6'))).div(d('10'), 10)));
  });

  it('rejects a market order with no market, a post-only order that would cross, and a reduce-only order that would open', () => {
    const { venue, last } = setup();
    const blind = spec({});
    venue.submit('A1', blind);
    expect([last(blind.clientOrderId)?.status, last(blind.clientOrderId)?.reason]).toEqual([
      'REJECTED',
      'no offer in ACME to fill a market order',
    ]);
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    const post = spec({ type: 'LIMIT', limitPrice: d('100.01'), postOnly: true });
    venue.submit('A1', post);
    expect(last(post.clientOrderId)?.reason).toBe('post-only order at 100.01 would take liquidity');
    const reduce = spec({ reduceOnly: true, side: 'SELL' });
    venue.submit('A1', reduce);
    expect(last(reduce.clientOrderId)?.status).toBe('REJECTED');
    expect(last(reduce.clientOrderId)?.reason).toContain('reduce-only');
  });

  it('rejects orders off the tick or lot grid with the rule that failed', () => {
    const { venue, last } = setup();
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    const offTick = spec({ type: 'LIMIT', limitPrice: d('99.995') });
    venue.submit('A1', offTick);
    expect(last(offTick.clientOrderId)?.reason).toBe('limit price 99.995 is not a multiple of tick size 0.01');
    const offLot = spec({ quantity: d('1.5') });
    venue.submit('A1', offLot);
    expect(last(offLot.clientOrderId)?.reason).toBe('quantity 1.5 is not a multiple of lot size 1');
  });

  it('refuses a duplicate client order id at once and counts both arrivals', () => {
    const { venue, orders } = setup();
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    const order = spec({ type: 'LIMIT', limitPrice: d('99.00') });
    venue.submit('A1', order);
    expect(() => venue.submit('A1', order)).toThrow(DuplicateOrderError);
    expect(venue.receivedCount(order.clientOrderId)).toBe(2);
    expect(orders(order.clientOrderId).map((r) => r.status)).toEqual(['ACCEPTED']);
    expect(venue.receivedOrders().filter((r) => r.clientOrderId === order.clientOrderId)).toHaveLength(2);
  });

  it('fills FOK only in full, otherwise cancels it untouched; IOC takes what it can', () => {
    const { venue, last, fills } = setup();
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '6'));
    const fok = spec({ type: 'LIMIT', limitPrice: d('100.01'), timeInForce: 'FOK' });
    venue.submit('A1', fok);
    expect([last(fok.clientOrderId)?.status, fills(fok.clientOrderId)]).toEqual(['CANCELED', []]);
    const ioc = spec({ type: 'LIMIT', limitPrice: d('100.01'), timeInForce: 'IOC' });
    venue.submit('A1', ioc);
    expect([last(ioc.clientOrderId)?.status, text(last(ioc.clientOrderId)?.filledQuantity)]).toEqual(['CANCELED', '6']);
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '20'));
    const fok2 = spec({ type: 'LIMIT', limitPrice: d('100.01'), timeInForce: 'FOK' });
    venue.submit('A1', fok2);
    expect(last(fok2.clientOrderId)?.status).toBe('FILLED');
  });

  it('triggers a buy stop-limit when the ask reaches the stop, then works it as a limit', () => {
    const { venue, last, fills } = setup();
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    const stop = spec({ type: 'STOP_LIMIT', stopPrice: d('100.10'), limitPrice: d('100.12') });
    venue.submit('A1', stop);
    expect(last(stop.clientOrderId)?.status).toBe('ACCEPTED');
    venue.setMarket(acme.id, market('100.05', '100', '100.09', '100'));
    expect(fills(stop.clientOrderId)).toHaveLength(0);
    // Gaps above the limit: triggered, but the limit protects it.
    venue.setMarket(acme.id, market('100.12', '100', '100.15', '100'));
    expect([last(stop.clientOrderId)?.status, fills(stop.clientOrderId)]).toEqual(['ACCEPTED', []]);
    venue.setMarket(acme.id, market('100.09', '100', '100.11', '100'));
    expect(last(stop.clientOrderId)?.status).toBe('FILLED');
    expect(text(fills(stop.clientOrderId)[0].price)).toBe('100.12');
  });

  it('modifies a working order and reports the amendment; refuses quantities at or below the filled amount', () => {
    const { venue, last } = setup();
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '3'));
    const order = spec({ type: 'LIMIT', limitPrice: d('100.01') });
    venue.submit('A1', order);
    expect(text(last(order.clientOrderId)?.filledQuantity)).toBe('3');
    expect(() => venue.modify('A1', { clientOrderId: order.clientOrderId, account: 'A1', quantity: d('3') })).toThrow(InvalidOrderError);
    venue.modify('A1', { clientOrderId: order.clientOrderId, account: 'A1', quantity: d('8'), limitPrice: d('99.50') });
    expect(last(order.clientOrderId)).toMatchObject({ status: 'PARTIALLY_FILLED', amended: true, reason: 'modified' });
    expect(text(last(order.clientOrderId)?.quantity)).toBe('8');
    expect(text(last(order.clientOrderId)?.limitPrice)).toBe('99.5');
  });

  it('refuses to cancel or modify unknown and finished orders with OrderNotFoundError', () => {
    const { venue } = setup();
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    const done = spec({});
    venue.submit('A1', done);
    expect(() => venue.cancel('A1', done.clientOrderId)).toThrow(
      new OrderNotFoundError(`cannot cancel order ${done.clientOrderId}: it is FILLED, no longer working`),
    );
    expect(() => venue.cancel('A1', 'NOPE')).toThrow(OrderNotFoundError);
    expect(() => venue.modify('A1', { clientOrderId: 'NOPE', account: 'A1', quantity: d('1') })).toThrow(OrderNotFoundError);
  });

  it('cancels all orders of one strategy only', () => {
    const { venue, last } = setup();
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    const mine = spec({ type: 'LIMIT', limitPrice: d('99.00'), strategyId: 'mine' });
    const theirs = spec({ type: 'LIMIT', limitPrice: d('99.00'), strategyId: 'theirs' });
    venue.submit('A1', mine);
    venue.submit('A1', theirs);
    venue.cancelAll('A1', { strategyId: 'mine' });
    expect(last(mine.clientOrderId)?.status).toBe('CANCELED');
    expect(last(theirs.clientOrderId)?.status).toBe('ACCEPTED');
    expect(venue.openOrders('A1').map((o) => o.clientOrderId)).toEqual([theirs.clientOrderId]);
  });

  it('expires a GTD order at its expiry time', () => {
    const { venue, scheduler, last } = setup();
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    const gtd = spec({ type: 'LIMIT', limitPrice: d('99.00'), timeInForce: 'GTD', expireTime: START + 5_000_000_000n });
    venue.submit('A1', gtd);
    scheduler.advanceBy(4_999);
    expect(last(gtd.clientOrderId)?.status).toBe('ACCEPTED');
    scheduler.advanceBy(1);
    expect([last(gtd.clientOrderId)?.status, last(gtd.clientOrderId)?.reason]).toEqual(['EXPIRED', 'good-till-date order expired']);
  });

  it('holds fills while paused and matches what waited on resume', () => {
    const { venue, last } = setup();
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    venue.pauseFills();
    const buy = spec({});
    venue.submit('A1', buy);
    expect(last(buy.clientOrderId)?.status).toBe('ACCEPTED');
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    expect(last(buy.clientOrderId)?.status).toBe('ACCEPTED');
    venue.resumeFills();
    expect(last(buy.clientOrderId)?.status).toBe('FILLED');
  });

  it('loses reports while the link is down but keeps state, executions and positions queryable', () => {
    const { venue, scheduler, reports } = setup();
    const links: boolean[] = [];
    venue.attachExecution('A1', { report: () => undefined, link: (up) => links.push(up) });
    venue.setMarket(acme.id, market('99.99', '100', '100.01', '100'));
    venue.dropConnection();
    const before = reports.length;
    const buy = spec({});
    scheduler.advanceBy(10);
    venue.submit('A1', buy);
    expect(reports.length).toBe(before);
    venue.restoreConnection();
    expect(links).toEqual([false, true]);
    expect(venue.orderStatus('A1', buy.clientOrderId)?.status).toBe('FILLED');
    expect(venue.executionsSince('A1', START + 10_000_000n).map((f) => f.clientOrderId)).toEqual([buy.clientOrderId]);
    expect(venue.executionsSince('A1', START + 11_000_000n)).toEqual([]);
    expect(text(venue.positions('A1')[0].quantity)).toBe('10');
  });

  it('refuses quotes for instruments it does not list', () => {
    const { venue } = setup();
    expect(() => venue.setMarket({ venue: 'SIM', symbol: 'NOPE' }, market('1', '1', '2', '1'))).toThrow(UnknownInstrumentError);
  });
});
