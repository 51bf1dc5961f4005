import { EventName } from '@stoqey/ib';
import { decodeWithPinnedClient } from './pinned-client-codec';
import * as out from './server-messages';

const aapl: out.ReportedContract = {
  conId: 265598,
  symbol: 'AAPL',
  secType: 'STK',
  lastTradeDateOrContractMonth: '',
  multiplier: '',
  exchange: 'SMART',
  primaryExchange: 'NASDAQ',
  currency: 'USD',
  localSymbol: 'AAPL',
  tradingClass: 'NMS',
};
const es: out.ReportedContract = { ...aapl, conId: 495512563, symbol: 'ES', secType: 'FUT', lastTradeDateOrContractMonth: '20250321', multiplier: '50', exchange: 'CME', primaryExchange: '', localSymbol: 'ESH5', tradingClass: 'ES' };

const order: out.ReportedOrder = {
  orderId: 11,
  clientId: 3,
  permId: 9001,
  action: 'BUY',
  totalQuantity: 10,
  orderType: 'LMT',
  lmtPrice: 101.25,
  tif: 'GTC',
  ocaGroup: 'oca-1',
  account: 'DU1234567',
  orderRef: 'ttq-7',
  outsideRth: true,
  parentId: 4,
  goodTillDate: '',
  ocaType: 3,
  transmit: true,
  status: 'Submitted',
  filledQuantity: 0,
};

function eventsOf(v: number, messages: Parameters<typeof decodeWithPinnedClient>[1]) {
  const result = decodeWithPinnedClient(v, messages);
  expect(result.decodeErrors).toEqual([]);
  return result;
}

describe.each([176, 187, 190, 193])('server layouts at server version %i', (v) => {
  it('decode OPEN_ORDER with every field where the client expects it', () => {
    const { events } = eventsOf(v, [out.openOrder(v, aapl, order), out.openOrder(v, es, { ...order, orderType: 'MKT', lmtPrice: undefined })]);
    expect(events).toHaveLength(2);
    const [orderId, contract, decoded, state] = events[0]?.args as [number, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    expect(orderId).toBe(11);
    expect(contract).toMatchObject({ conId: 265598, symbol: 'AAPL', exchange: 'SMART', currency: 'USD', tradingClass: 'NMS' });
    expect(decoded).toMatchObject({ action: 'BUY', totalQuantity: 10, orderType: 'LMT', lmtPrice: 101.25, tif: 'GTC', ocaGroup: 'oca-1', orderRef: 'ttq-7', clientId: 3, permId: 9001, outsideRth: true, parentId: 4, ocaType: 3 });
    expect(state).toMatchObject({ status: 'Submitted' });
    expect((events[1]?.args[1] as Record<string, unknown>)['multiplier']).toBe(50);
  });

  it('decode contract details, executions, commissions, positions and order status', () => {
    const details: out.ContractDetailsFields = {
      contract: es,
      marketName: 'ES',
      minTick: 0.25,
      orderTypes: 'LMT,MKT,STP',
      validExchanges: 'CME',
      longName: 'E-mini S&P 500',
      timeZoneId: 'US/Central',
      tradingHours: '',
      liquidHours: '',
      stockType: '',
    };
    const exec: out.ReportedExecution = {
      orderId: 11,
      execId: '0001.01',
      time: '20250102 14:30:00 UTC',
      account: 'DU1',
      exchange: 'CME',
      side: 'BOT',
      shares: 2,
      price: 5000.25,
      permId: 9001,
      clientId: 3,
      cumQty: 2,
      avgPrice: 5000.25,
      orderRef: 'ttq-7',
    };
    const { events } = eventsOf(v, [
      out.contractData(v, 5, details),
      out.contractDataEnd(5),
      out.executionData(v, -1, es, exec),
      out.commissionReport('0001.01', 2.5, 'USD', undefined),
      out.commissionReport('0001.02', 2.5, 'USD', 120.5),
      out.position('DU1', es, -2, 250012.5),
      out.positionEnd(),
      out.orderStatus(11, 'Submitted', 2, 8, 5000.25, 9001, 4, 5000.25, 3),
    ]);
    const byName = (name: string) => events.filter((e) => e.name === name).map((e) => e.args);
    expect(byName(EventName.contractDetails)[0]).toMatchObject([5, { minTick: 0.25, longName: 'E-mini S&P 500', contract: { conId: 495512563, multiplier: 50, lastTradeDateOrContractMonth: '20250321' } }]);
    expect(byName(EventName.contractDetailsEnd)).toEqual([[5]]);
    expect(byName(EventName.execDetails)[0]).toMatchObject([-1, { symbol: 'ES' }, { execId: '0001.01', side: 'BOT', shares: 2, price: 5000.25, orderRef: 'ttq-7', cumQty: 2 }]);
    expect(byName(EventName.commissionReport).map((a) => a[0])).toMatchObject([
      { execId: '0001.01', commission: 2.5, realizedPNL: undefined },
      { execId: '0001.02', realizedPNL: 120.5 },
    ]);
    expect(byName(EventName.position)[0]).toMatchObject(['DU1', { conId: 495512563 }, -2, 250012.5]);
    expect(byName(EventName.orderStatus)[0]).toEqual([11, 'Submitted', 2, 8, 5000.25, 9001, 4, 5000.25, 3, '', 0]);
  });

  it('decode market data, depth, bars, account messages and errors', () => {
    const bar: out.WireBar = { time: '20250102 14:30:00', open: 1, high: 2, low: 0.5, close: 1.5, volume: 100, wap: 1.2, count: 7 };
    const result = eventsOf(v, [
      out.managedAccounts(['DU1', 'DU2']),
      out.nextValidId(100),
      out.currentTime(1735828200),
      out.errorMessage(-1, 2104, 'Market data farm connection is OK:usfarm'),
      out.errorMessage(7, 200, 'No security definition has been found for the request'),
      out.marketDataType(3, 2),
      out.tickReqParams(3, 0.01, 'SMART', 3),
      out.tickPrice(3, 1, 187.5, 300),
      out.tickSize(3, 0, 300),
      out.tickGeneric(3, 49, 0),
      out.tickString(3, 45, '1735828200'),
      out.tickSnapshotEnd(3),
      out.tickByTickLast(4, 1, 1735828200, 187.5, 100, 'NASDAQ'),
      out.tickByTickBidAsk(4, 1735828200, 187.4, 187.5, 300, 200),
      out.tickByTickMidPoint(4, 1735828200, 187.45),
      out.marketDepth(5, 0, 0, 1, 187.4, 300),
      out.marketDepthL2(5, 1, 'NSDQ', 1, 0, 187.5, 200, true),
      out.realTimeBar(6, { ...bar, time: 1735828200 }),
      out.historicalData(7, '20250102 14:30:00', '20250102 14:35:00', [bar, bar]),
      out.historicalDataUpdate(7, 2, bar),
      out.accountSummary(8, 'DU1', 'NetLiquidation', '1000000.00', 'USD'),
      out.accountSummaryEnd(8),
      out.accountValue('NetLiquidation', '1000000.00', 'USD', 'DU1'),
      out.portfolioValue(aapl, 10, 187.5, 1875, 180, 75, 0, 'DU1'),
      out.accountUpdateTime('14:30'),
      out.accountDownloadEnd('DU1'),
      out.openOrderEnd(),
      out.executionDataEnd(9),
    ]);
    const names = result.events.map((e) => e.name);
    expect(names).toEqual([
      EventName.managedAccounts,
      EventName.nextValidId,
      EventName.currentTime,
      EventName.marketDataType,
      EventName.tickReqParams,
      EventName.tickPrice,
      // The size inside a BID tick price is dropped by the pinned decoder (BID_SIZE is tick type 0, falsy);
      // only the separate TICK_SIZE arrives. The fake therefore always sends both.
      EventName.tickSize,
      EventName.tickGeneric,
      EventName.tickString,
      EventName.tickSnapshotEnd,
      EventName.tickByTickAllLast,
      EventName.tickByTickBidAsk,
      EventName.tickByTickMidPoint,
      EventName.updateMktDepth,
      EventName.updateMktDepthL2,
      EventName.realtimeBar,
      EventName.historicalData,
      EventName.historicalData,
      EventName.historicalData,
      EventName.historicalDataUpdate,
      EventName.accountSummary,
      EventName.accountSummaryEnd,
      EventName.updateAccountValue,
      EventName.updatePortfolio,
      EventName.updateAccountTime,
      EventName.accountDownloadEnd,
      EventName.openOrderEnd,
      EventName.execDetailsEnd,
    ]);
    expect(result.infos).toEqual([{ message: 'Market data farm connection is OK:usfarm', code: 2104 }]);
    expect(result.errors).toEqual([{ message: 'No security definition has been found for the request', code: 200, reqId: 7 }]);
    const args = (name: string) => result.events.find((e) => e.name === name)?.args;
    expect(args(EventName.tickPrice)).toEqual([3, 1, 187.5, false]);
    expect(args(EventName.tickByTickBidAsk)).toEqual([4, '1735828200', 187.4, 187.5, 300, 200, { bidPastLow: false, askPastHigh: false }]);
    expect(args(EventName.realtimeBar)).toEqual([6, 1735828200, 1, 2, 0.5, 1.5, 100, 1.2, 7]);
    expect(args(EventName.historicalData)).toEqual([7, '20250102 14:30:00', 1, 2, 0.5, 1.5, 100, 7, 1.2, undefined]);
    expect(result.events.filter((e) => e.name === EventName.historicalData)[2]?.args[1]).toBe('finished-20250102 14:30:00-20250102 14:35:00');
    expect(args(EventName.historicalDataUpdate)).toEqual([7, '20250102 14:30:00', 1, 2, 0.5, 1.5, 100, 2, 1.2]);
    expect(args(EventName.updatePortfolio)).toEqual([expect.objectContaining({ conId: 265598, primaryExch: 'NASDAQ' }), 10, 187.5, 1875, 180, 75, 0, 'DU1']);
  });

  it('are caught by the pinned decoder when a field is missing or extra', () => {
    const short = out.orderStatus(1, 'Filled', 1, 0, 1, 1, 0, 1, 1).slice(0, -1);
    const long = [...out.position('DU1', aapl, 1, 1), 'extra'];
    expect(decodeWithPinnedClient(v, [short]).decodeErrors).toHaveLength(1);
    expect(decodeWithPinnedClient(v, [long]).decodeErrors).toHaveLength(1);
  });
});
