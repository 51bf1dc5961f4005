import type { WireContract } from './client-messages';
import type { FakeTwsContract } from './fake-tws-types';
import type { ContractDetailsFields, ReportedContract } from './server-messages';

/** The contracts a fake TWS knows when a test names none: one of each security type. */
export const DEFAULT_FAKE_TWS_CONTRACTS: readonly FakeTwsContract[] = [
  { conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', primaryExchange: 'NASDAQ', currency: 'USD', localSymbol: 'AAPL', tradingClass: 'NMS', minTick: 0.01, longName: 'APPLE INC', startPrice: 190 },
  { conId: 756733, symbol: 'SPY', secType: 'ETF', exchange: 'SMART', primaryExchange: 'ARCA', currency: 'USD', localSymbol: 'SPY', tradingClass: 'SPY', minTick: 0.01, longName: 'SPDR S&P 500 ETF TRUST', startPrice: 500 },
  { conId: 495512563, symbol: 'ES', secType: 'FUT', exchange: 'CME', currency: 'USD', localSymbol: 'ESZ7', multiplier: '50', tradingClass: 'ES', lastTradeDateOrContractMonth: '20271217', minTick: 0.25, longName: 'E-mini S&P 500', startPrice: 5000 },
  { conId: 12087792, symbol: 'EUR', secType: 'CASH', exchange: 'IDEALPRO', currency: 'USD', localSymbol: 'EUR.USD', tradingClass: 'EUR.USD', minTick: 0.00005, longName: 'European Monetary Union Euro', startPrice: 1.08 },
  { conId: 479624278, symbol: 'BTC', secType: 'CRYPTO', exchange: 'PAXOS', currency: 'USD', localSymbol: 'BTC.USD', tradingClass: 'BTC', minTick: 0.25, longName: 'Bitcoin', startPrice: 60000 },
  { conId: 416904, symbol: 'SPX', secType: 'IND', exchange: 'CBOE', currency: 'USD', localSymbol: 'SPX', tradingClass: 'SPX', minTick: 0.01, longName: 'S&P 500 Stock Index', startPrice: 5000 },
];

/** Raised for a contract list the fake cannot serve (duplicate conIds, bad ticks or prices). */
export class ContractConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractConfigError';
  }
}

/** IB reports ETFs as stocks with stock type ETF. */
function wireSecType(c: FakeTwsContract): string {
  return c.secType === 'ETF' ? 'STK' : c.secType;
}

/** Looks contracts up the way TWS matches a request's contract fields. */
export class ContractRegistry {
  private readonly byConId = new Map<number, FakeTwsContract>();

  constructor(contracts: readonly FakeTwsContract[]) {
    for (const c of contracts) {
      if (this.byConId.has(c.conId)) throw new ContractConfigError(`expected unique conIds, ${c.conId} appears twice`);
      if (!(c.minTick > 0)) throw new ContractConfigError(`expected minTick > 0 for ${c.symbol}, was ${c.minTick}`);
      if (!(c.startPrice > 0)) throw new ContractConfigError(`expected startPrice > 0 for ${c.symbol}, was ${c.startPrice}`);
      this.byConId.set(c.conId, c);
    }
  }

  /** Every contract. */
  all(): FakeTwsContract[] {
    return [...this.byConId.values()];
  }

  /** The contract with this conId. */
  get(conId: number): FakeTwsContract | undefined {
    return this.byConId.get(conId);
  }

  /** The contract whose symbol is this (first match). */
  bySymbol(symbol: string): FakeTwsContract | undefined {
    const wanted = symbol.toUpperCase();
    return this.all().find((c) => c.symbol.toUpperCase() === wanted || c.localSymbol?.toUpperCase() === wanted);
  }

  /** Every contract matching the request's fields; an empty field matches anything. */
  match(w: WireContract): FakeTwsContract[] {
    if (w.conId !== undefined) {
      const c = this.byConId.get(w.conId);
      return c && (w.symbol === '' || c.symbol.toUpperCase() === w.symbol.toUpperCase()) ? [c] : [];
    }
    return this.all().filter((c) => {
      if (w.symbol !== '' && c.symbol.toUpperCase() !== w.symbol.toUpperCase()) return false;
      if (w.localSymbol !== '' && (c.localSymbol ?? c.symbol).toUpperCase() !== w.localSymbol.toUpperCase()) return false;
      if (w.secType !== '' && w.secType.toUpperCase() !== wireSecType(c) && w.secType.toUpperCase() !== c.secType) return false;
      if (w.currency !== '' && w.currency.toUpperCase() !== c.currency) return false;
      const exchange = w.exchange.toUpperCase();
      if (exchange !== '' && exchange !== 'SMART' && exchange !== c.exchange && exchange !== c.primaryExchange) return false;
      if (w.lastTradeDateOrContractMonth !== '' && !(c.lastTradeDateOrContractMonth ?? '').startsWith(w.lastTradeDateOrContractMonth)) return false;
      return true;
    });
  }

  /** The single contract a market data or order request means, or undefined when none or several match. */
  resolve(w: WireContract): FakeTwsContract | undefined {
    const found = this.match(w);
    return found.length === 1 ? found[0] : undefined;
  }
}

/** The contract fields TWS echoes in orders, executions and positions. */
export function reportedContract(c: FakeTwsContract): ReportedContract {
  return {
    conId: c.conId,
    symbol: c.symbol,
    secType: wireSecType(c),
    lastTradeDateOrContractMonth: c.lastTradeDateOrContractMonth ?? '',
    multiplier: c.multiplier ?? '',
    exchange: c.exchange,
    primaryExchange: c.primaryExchange ?? '',
    currency: c.currency,
    localSymbol: c.localSymbol ?? c.symbol,
    tradingClass: c.tradingClass ?? c.symbol,
  };
}

/** Contract details as TWS would describe this contract. */
export function contractDetails(c: FakeTwsContract): ContractDetailsFields {
  const stockLike = c.secType === 'STK' || c.secType === 'ETF';
  return {
    contract: reportedContract(c),
    marketName: c.tradingClass ?? c.symbol,
    minTick: c.minTick,
    orderTypes: c.secType === 'IND' ? '' : 'LMT,MKT,STP,STPLMT,TRAIL',
    validExchanges: stockLike ? `SMART,${c.primaryExchange ?? c.exchange}` : c.exchange,
    longName: c.longName ?? c.symbol,
    timeZoneId: c.secType === 'FUT' ? 'US/Central' : 'US/Eastern',
    tradingHours: '',
    liquidHours: '',
    stockType: c.secType === 'ETF' ? 'ETF' : stockLike ? 'COMMON' : '',
  };
}

/** Contract multiplier as a number (1 when the contract has none). */
export function multiplierOf(c: FakeTwsContract): number {
  const m = Number(c.multiplier ?? '');
  return Number.isFinite(m) && m > 0 ? m : 1;
}
