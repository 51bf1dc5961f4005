import { multiplierOf, reportedContract } from './contract-registry';
import type { WireValue } from './framing';
import type { BrokerPosition, PaperBroker } from './paper-broker';
import * as out from './server-messages';

/** One account value as TWS reports it in account summaries and account updates. */
export interface AccountValue {
  tag: string;
  value: string;
  currency: string;
}

/** A position marked to the market. */
export interface MarkedPosition {
  position: BrokerPosition;
  marketPrice: number;
  marketValue: number;
  unrealizedPnl: number;
}

/** Marks every position of an account at the given prices. */
export function markPositions(broker: PaperBroker, account: string, markOf: (conId: number) => number): MarkedPosition[] {
  return broker
    .positions()
    .filter((p) => p.account === account)
    .map((position) => {
      const marketPrice = markOf(position.contract.conId);
      const marketValue = position.quantity * marketPrice * multiplierOf(position.contract);
      return { position, marketPrice, marketValue, unrealizedPnl: marketValue - position.quantity * position.avgCost };
    });
}

const money = (value: number): string => value.toFixed(2);

/**
 * Account values from cash and marked positions, with a flat 25 % margin on gross position value:
 * simple, but every value is consistent with the others (NetLiquidation = cash + position value).
 */
export function accountValues(broker: PaperBroker, account: string, markOf: (conId: number) => number): AccountValue[] {
  const marked = markPositions(broker, account, markOf);
  const cash = broker.cashOf(account);
  const positionValue = marked.reduce((sum, m) => sum + m.marketValue, 0);
  const gross = marked.reduce((sum, m) => sum + Math.abs(m.marketValue), 0);
  const netLiq = cash + positionValue;
  const margin = gross * 0.25;
  const realized = marked.reduce((sum, m) => sum + m.position.realizedPnl, 0);
  const unrealized = marked.reduce((sum, m) => sum + m.unrealizedPnl, 0);
  const usd = (tag: string, value: number): AccountValue => ({ tag, value: money(value), currency: 'USD' });
  return [
    { tag: 'AccountType', value: 'INDIVIDUAL', currency: '' },
    usd('NetLiquidation', netLiq),
    usd('TotalCashValue', cash),
    usd('SettledCash', cash),
    usd('EquityWithLoanValue', netLiq),
    usd('GrossPositionValue', gross),
    usd('InitMarginReq', margin),
    usd('MaintMarginReq', margin),
    usd('AvailableFunds', netLiq - margin),
    usd('ExcessLiquidity', netLiq - margin),
    usd('BuyingPower', (netLiq - margin) * 4),
    { tag: 'Cushion', value: netLiq === 0 ? '0' : ((netLiq - margin) / netLiq).toFixed(4), currency: '' },
    usd('RealizedPnL', realized),
    usd('UnrealizedPnL', unrealized),
  ];
}

/** The values an account summary request asks for ("All" or a comma-separated tag list). */
export function selectTags(values: readonly AccountValue[], tags: readonly string[]): AccountValue[] {
  if (tags.some((t) => t.toUpperCase() === 'ALL')) return [...values];
  const wanted = new Set(tags);
  return values.filter((v) => wanted.has(v.tag));
}

/** What REQ_ACCOUNT_UPDATES streams for an account: values, portfolio lines, then the update time. */
export function accountUpdateMessages(broker: PaperBroker, account: string, markOf: (conId: number) => number, nowMs: number): WireValue[][] {
  const messages = accountValues(broker, account, markOf).map((v) => out.accountValue(v.tag, v.value, v.currency, account));
  for (const m of markPositions(broker, account, markOf)) {
    const p = m.position;
    messages.push(out.portfolioValue(reportedContract(p.contract), p.quantity, m.marketPrice, m.marketValue, p.avgCost, m.unrealizedPnl, p.realizedPnl, account));
  }
  const d = new Date(nowMs);
  messages.push(out.accountUpdateTime(`${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`));
  return messages;
}
