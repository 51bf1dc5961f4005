import { SecType, OrderAction, OrderType, type Contract, type Order } from '@stoqey/ib';
import { parseClientMessage, OUT } from './client-messages';
import { ClientMessageError } from './field-reader';
import { encodeWithPinnedClient } from './pinned-client-codec';

const aapl: Contract = { conId: 265598, symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', primaryExch: 'NASDAQ', currency: 'USD' };
const marketOrder: Order = { action: OrderAction.BUY, totalQuantity: 10, orderType: OrderType.MKT, orderRef: 'ttq-1', transmit: true, account: 'DU1' };

function only(fields: string[][]): string[] {
  expect(fields).toHaveLength(1);
  return fields[0] as string[];
}

describe.each([176, 187, 190, 193])('client layouts at server version %i', (v) => {
  it('reads a plain market order as the pinned encoder writes it', () => {
    const fields = only(encodeWithPinnedClient(v, (e) => e.placeOrder(42, { ...aapl }, { ...marketOrder })));
    const parsed = parseClientMessage(fields, v);
    expect(parsed).toMatchObject({
      id: OUT.PLACE_ORDER,
      order: { orderId: 42, action: 'BUY', totalQuantity: 10, orderType: 'MKT', orderRef: 'ttq-1', transmit: true, account: 'DU1' },
    });
  });

  it('reads orders with optional blocks: limit, algo params, conditions, hedge, delta-neutral order, PEG BEST up to mid', () => {
    const orders: Order[] = [
      { ...marketOrder, orderType: OrderType.LMT, lmtPrice: 101.5, tif: 'GTC', outsideRth: true, parentId: 7, transmit: false, ocaGroup: 'g1' },
      { ...marketOrder, algoStrategy: 'Adaptive', algoParams: [{ tag: 'adaptivePriority', value: 'Normal' }] },
      { ...marketOrder, hedgeType: 'D', hedgeParam: '0.5' },
      { ...marketOrder, deltaNeutralOrderType: 'MKT' },
      { ...marketOrder, scalePriceIncrement: 0.1, scaleInitLevelSize: 1 },
      {
        ...marketOrder,
        conditions: [
          { type: 1, conjunctionConnection: 'a', isMore: true, strValue: '100', conId: 1, exchange: 'SMART', triggerMethod: 0 },
          { type: 3, conjunctionConnection: 'o', isMore: false, strValue: '20250101 10:00:00' },
        ] as unknown as Order['conditions'],
      },
      { ...marketOrder, orderType: OrderType.PEG_BEST, minCompeteSize: 1, competeAgainstBestOffset: Infinity, midOffsetAtWhole: 0.01, midOffsetAtHalf: 0.005 },
      { ...marketOrder, orderType: OrderType.PEG_MID, midOffsetAtWhole: 0.01, midOffsetAtHalf: 0.005 },
    ];
    for (const order of orders) {
      const fields = only(encodeWithPinnedClient(v, (e) => e.placeOrder(9, { ...aapl }, order)));
      expect(() => parseClientMessage(fields, v)).not.toThrow();
    }
    const lmt = parseClientMessage(only(encodeWithPinnedClient(v, (e) => e.placeOrder(9, { ...aapl }, orders[0] as Order))), v);
    expect(lmt).toMatchObject({ order: { lmtPrice: 101.5, tif: 'GTC', outsideRth: true, parentId: 7, transmit: false, ocaGroup: 'g1' } });
  });

  it('reads every request the fake serves with the values the client put in', () => {
    const cases: [string, (e: Parameters<Parameters<typeof encodeWithPinnedClient>[1]>[0]) => void, Record<string, unknown>][] = [
      ['reqMktData', (e) => e.reqMktData(3, aapl, '233', false, false), { id: 1, reqId: 3, genericTicks: '233', contract: { symbol: 'AAPL', conId: 265598 } }],
      ['cancelMktData', (e) => e.cancelMktData(3), { id: 2, reqId: 3 }],
      ['cancelOrder', (e) => e.cancelOrder(12, { manualOrderCancelTime: '' }), { id: 4, orderId: 12 }],
      ['reqOpenOrders', (e) => e.reqOpenOrders(), { id: 5 }],
      ['reqAccountUpdates', (e) => e.reqAccountUpdates(true, 'DU1'), { id: 6, subscribe: true, account: 'DU1' }],
      ['reqExecutions', (e) => e.reqExecutions(4, { clientId: 2, time: '20250102-10:00:00' } as never), { id: 7, reqId: 4, filter: { clientId: 2, time: '20250102-10:00:00' } }],
      ['reqIds', (e) => e.reqIds(1), { id: 8, count: 1 }],
      ['reqContractDetails', (e) => e.reqContractDetails(5, { symbol: 'ES', secType: SecType.FUT, exchange: 'CME', currency: 'USD' }), { id: 9, reqId: 5, contract: { symbol: 'ES', secType: 'FUT' } }],
      ['reqMktDepth', (e) => e.reqMktDepth(6, aapl, 5, true, []), { id: 10, reqId: 6, numRows: 5, smartDepth: true }],
      ['cancelMktDepth', (e) => e.cancelMktDepth(6, true), { id: 11, reqId: 6 }],
      ['reqAllOpenOrders', (e) => e.reqAllOpenOrders(), { id: 16 }],
      ['reqAutoOpenOrders', (e) => e.reqAutoOpenOrders(true), { id: 15, autoBind: true }],
      ['reqManagedAccts', (e) => e.reqManagedAccts(), { id: 17 }],
      [
        'reqHistoricalData',
        (e) => e.reqHistoricalData(7, aapl, '20250102 16:00:00 UTC', '1 D', '5 mins' as never, 'TRADES', 1, 1, false),
        { id: 20, reqId: 7, endDateTime: '20250102 16:00:00 UTC', duration: '1 D', barSize: '5 mins', whatToShow: 'TRADES', useRth: true },
      ],
      ['cancelHistoricalData', (e) => e.cancelHistoricalData(7), { id: 25, reqId: 7 }],
      ['reqCurrentTime', (e) => e.reqCurrentTime(), { id: 49 }],
      ['reqRealTimeBars', (e) => e.reqRealTimeBars(8, aapl, 5, 'MIDPOINT', false, []), { id: 50, reqId: 8, whatToShow: 'MIDPOINT' }],
      ['cancelRealTimeBars', (e) => e.cancelRealTimeBars(8), { id: 51, reqId: 8 }],
      ['reqGlobalCancel', (e) => e.reqGlobalCancel({}), { id: 58 }],
      ['reqMarketDataType', (e) => e.reqMarketDataType(3), { id: 59, marketDataType: 3 }],
      ['reqPositions', (e) => e.reqPositions(), { id: 61 }],
      ['reqAccountSummary', (e) => e.reqAccountSummary(9, 'All', 'NetLiquidation,BuyingPower'), { id: 62, reqId: 9, tags: 'NetLiquidation,BuyingPower' }],
      ['cancelAccountSummary', (e) => e.cancelAccountSummary(9), { id: 63, reqId: 9 }],
      ['cancelPositions', (e) => e.cancelPositions(), { id: 64 }],
      ['reqTickByTickData', (e) => e.reqTickByTickData(10, aapl, 'BidAsk' as never, 0, false), { id: 97, reqId: 10, tickType: 'BidAsk' }],
      ['cancelTickByTickData', (e) => e.cancelTickByTickData(10), { id: 98, reqId: 10 }],
    ];
    for (const [name, call, expected] of cases) {
      const fields = only(encodeWithPinnedClient(v, call));
      let parsed: unknown;
      try {
        parsed = parseClientMessage(fields, v);
      } catch (error) {
        throw new Error(`${name} at ${v}: ${(error as Error).message}`);
      }
      expect(parsed).toMatchObject(expected);
    }
  });

  it('refuses a message with one field too many or too few, naming the counts', () => {
    for (const fields of [
      only(encodeWithPinnedClient(v, (e) => e.placeOrder(42, { ...aapl }, { ...marketOrder }))),
      only(encodeWithPinnedClient(v, (e) => e.reqMktData(3, aapl, '', false, false))),
      only(encodeWithPinnedClient(v, (e) => e.reqHistoricalData(7, aapl, '', '1 D', '1 min' as never, 'TRADES', 0, 1, false))),
    ]) {
      expect(() => parseClientMessage([...fields, 'extra'], v)).toThrow(`expected ${fields.length} fields, got ${fields.length + 1}`);
      expect(() => parseClientMessage(fields.slice(0, -1), v)).toThrow(`expected at least ${fields.length} fields`);
    }
  });
});

describe('client layouts', () => {
  it('counts 118 fields for a plain market order at 193, as the reference notes say', () => {
    expect(only(encodeWithPinnedClient(193, (e) => e.placeOrder(1, { ...aapl }, { ...marketOrder })))).toHaveLength(118);
  });

  it('refuses unknown ids, non-numeric ids and unreadable numbers with the request id when known', () => {
    expect(() => parseClientMessage(['999', '1'], 193)).toThrow('message id 999 is not one the fake TWS understands');
    expect(() => parseClientMessage(['abc'], 193)).toThrow('expected a numeric message id');
    const fields = only(encodeWithPinnedClient(193, (e) => e.reqMktDepth(77, aapl, 'x' as unknown as number, false, [])));
    try {
      parseClientMessage(fields, 193);
      throw new Error('should have been refused');
    } catch (error) {
      expect(error).toBeInstanceOf(ClientMessageError);
      expect((error as ClientMessageError).requestId).toBe(77);
      expect((error as Error).message).toBe('REQ_MKT_DEPTH: expected numRows to be an integer, was "x"');
    }
  });
});
