import type { Contract, ContractDetails, SecType } from '@stoqey/ib';
import { Decimal, type AssetClass, type Instrument } from '@ttquant/domain';
import type { IbInstrumentConfig, IbSecType } from '../config';
import type { IbContractRef } from '../history-source';

/** The asset class of each configured security type. */
export const IB_ASSET_CLASSES: Readonly<Record<IbSecType, AssetClass>> = {
  STK: 'EQUITY',
  ETF: 'ETF',
  FUT: 'FUTURE',
  CASH: 'FOREX',
  CRYPTO: 'CRYPTO_SPOT',
  IND: 'INDEX',
};

/** The security type IB expects on the wire: an ETF is a stock to IB. */
export function wireSecType(secType: IbSecType): SecType {
  return (secType === 'ETF' ? 'STK' : secType) as SecType;
}

/** The contract to ask IB's contract details for, from the instrument's config. */
export function contractQuery(config: IbInstrumentConfig): Contract {
  const contract: Contract = {
    symbol: config.ibSymbol,
    secType: wireSecType(config.secType),
    exchange: config.exchange,
    currency: config.currency,
  };
  if (config.conId > 0) contract.conId = config.conId;
  if (config.primaryExchange !== '') contract.primaryExch = config.primaryExchange;
  if (config.lastTradeDateOrContractMonth !== '') contract.lastTradeDateOrContractMonth = config.lastTradeDateOrContractMonth;
  return contract;
}

/** The instrument config of a symbol nobody configured: a stock routed by SMART in USD. */
export function defaultInstrumentConfig(symbol: string): IbInstrumentConfig {
  return {
    symbol,
    secType: 'STK',
    ibSymbol: symbol,
    exchange: 'SMART',
    primaryExchange: '',
    currency: 'USD',
    lastTradeDateOrContractMonth: '',
    conId: 0,
  };
}

/**
 * Works around the pinned decoder's `readLastTradeDate`, which splits on the
 * literal text `"\s+"` instead of whitespace: `20250321 08:30 US/Central` stays
 * whole in `lastTradeDateOrContractMonth`. Splits it properly; leaves
 * dash-separated and plain dates as the decoder read them.
 */
export function normalizeLastTradeDate(details: ContractDetails): ContractDetails {
  const raw = details.contract.lastTradeDateOrContractMonth;
  if (raw === undefined || !/\s/.test(raw.trim())) return details;
  const [date, time, zone] = raw.trim().split(/\s+/);
  return {
    ...details,
    contract: { ...details.contract, lastTradeDateOrContractMonth: date },
    lastTradeTime: details.lastTradeTime ?? time,
    timeZoneId: details.timeZoneId || zone,
  };
}

/** A positive decimal from an IB double, or `fallback` when IB sent nothing usable (0, empty, MAX). */
function positive(value: number | undefined, fallback: Decimal): Decimal {
  if (value === undefined || !Number.isFinite(value) || value <= 0) return fallback;
  return Decimal.fromNumber(value).normalize();
}

/** Why contract details cannot become an instrument. */
export class IbContractError extends Error {
  override readonly name = 'IbContractError';
}

/**
 * Builds the domain instrument of IB contract details for the configured
 * symbol: conId as the venue id, minTick as the tick size, size increment (or
 * 1) as the lot, the multiplier (1 when IB has none).
 * @throws IbContractError when IB gave no conId or no usable minTick.
 */
export function toInstrument(venue: string, config: IbInstrumentConfig, raw: ContractDetails): Instrument {
  const details = normalizeLastTradeDate(raw);
  const contract = details.contract;
  if (!contract.conId) throw new IbContractError(`expected a conId in the contract details of ${config.symbol}, was ${String(contract.conId)}`);
  const tickSize = positive(details.minTick, Decimal.ZERO);
  if (tickSize.isZero()) {
    throw new IbContractError(`expected a positive minTick in the contract details of ${config.symbol}, was ${String(details.minTick)}`);
  }
  const lotSize = positive(details.sizeIncrement, Decimal.ONE);
  const minQuantity = positive(details.minSize, lotSize);
  const assetClass = config.secType === 'STK' && details.stockType === 'ETF' ? 'ETF' : IB_ASSET_CLASSES[config.secType];
  const pair = config.secType === 'CASH' || config.secType === 'CRYPTO';
  return {
    id: { venue, symbol: config.symbol },
    venueInstrumentId: String(contract.conId),
    assetClass,
    exchange: contract.exchange || config.exchange,
    currency: contract.currency || config.currency,
    baseCurrency: pair ? contract.symbol || config.ibSymbol : '',
    multiplier: positive(contract.multiplier, Decimal.ONE),
    tickSize,
    lotSize,
    minQuantity: minQuantity.lt(lotSize) ? lotSize : minQuantity,
    description: details.longName || contract.localSymbol || config.symbol,
  };
}

/** The contract orders and market data requests use for a resolved instrument: by conId, on its exchange. */
export function tradingContract(config: IbInstrumentConfig, instrument: Instrument): Contract {
  return {
    conId: Number(instrument.venueInstrumentId),
    symbol: config.ibSymbol,
    secType: wireSecType(config.secType),
    exchange: instrument.exchange,
    currency: instrument.currency,
    ...(config.primaryExchange !== '' ? { primaryExch: config.primaryExchange } : {}),
    ...(config.lastTradeDateOrContractMonth !== '' ? { lastTradeDateOrContractMonth: config.lastTradeDateOrContractMonth } : {}),
  };
}

/** The history source's view of a trading contract. */
export function contractRef(contract: Contract): IbContractRef {
  return {
    conId: contract.conId ?? 0,
    symbol: contract.symbol ?? '',
    secType: contract.secType ?? '',
    exchange: contract.exchange ?? '',
    currency: contract.currency ?? '',
  };
}
