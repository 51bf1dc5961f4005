import type { AccountState, Balance, PositionSnapshot } from '@ttquant/domain';
import { ProtocolError } from '../errors';
import type { wire } from '../wire';
import { rebase } from './field-path';
import { encodeInstrumentId, readInstrumentId } from './instrument-codec';
import { readDecimal, readRequiredString, writeDecimal } from './scalars';

/** Decodes `position`: quantity is signed (negative is short), PnL may be negative. */
export function decodePosition(w: wire.IPosition): PositionSnapshot {
  const p = 'position';
  return {
    account: readRequiredString(w.account, p, 'account'),
    instrument: readInstrumentId(w.instrument, p, 'instrument'),
    quantity: readDecimal(w.quantity, p, 'quantity', 'any'),
    avgPrice: readDecimal(w.avgPrice, p, 'avgPrice', 'any'),
    realizedPnl: readDecimal(w.realizedPnl, p, 'realizedPnl', 'any'),
    unrealizedPnl: readDecimal(w.unrealizedPnl, p, 'unrealizedPnl', 'any'),
    currency: readRequiredString(w.currency, p, 'currency'),
  };
}

/** Encodes a PositionSnapshot. */
export function encodePosition(x: PositionSnapshot): wire.IPosition {
  const p = 'position';
  return {
    account: x.account,
    instrument: encodeInstrumentId(x.instrument),
    quantity: writeDecimal(x.quantity, p, 'quantity'),
    avgPrice: writeDecimal(x.avgPrice, p, 'avgPrice'),
    realizedPnl: writeDecimal(x.realizedPnl, p, 'realizedPnl'),
    unrealizedPnl: writeDecimal(x.unrealizedPnl, p, 'unrealizedPnl'),
    currency: x.currency,
  };
}

function readBalance(w: wire.IBalance | null | undefined): Balance {
  if (w === null || w === undefined) throw new ProtocolError('', 'a balance', 'none');
  return {
    currency: readRequiredString(w.currency, '', 'currency'),
    // Cash and buying power go negative on margin accounts; margin in use cannot.
    cash: readDecimal(w.cash, '', 'cash', 'any'),
    equity: readDecimal(w.equity, '', 'equity', 'any'),
    marginUsed: readDecimal(w.marginUsed, '', 'marginUsed', 'non-negative'),
    buyingPower: readDecimal(w.buyingPower, '', 'buyingPower', 'any'),
  };
}

/** Decodes `accountState`; an account with no balances yet is valid. */
export function decodeAccountState(w: wire.IAccountState): AccountState {
  const account = readRequiredString(w.account, 'accountState', 'account');
  const venue = readRequiredString(w.venue, 'accountState', 'venue');
  const raw = w.balances;
  const n = raw ? raw.length : 0;
  const balances: Balance[] = new Array(n);
  for (let i = 0; i < n; i++) {
    try {
      balances[i] = readBalance((raw as wire.IBalance[])[i]);
    } catch (err) {
      throw rebase(err, `accountState.balances[${i}]`);
    }
  }
  return { account, venue, balances };
}

/** Encodes an AccountState. */
export function encodeAccountState(x: AccountState): wire.IAccountState {
  const balances: wire.IBalance[] = new Array(x.balances.length);
  for (let i = 0; i < x.balances.length; i++) {
    const b = x.balances[i] as Balance;
    try {
      balances[i] = {
        currency: b.currency,
        cash: writeDecimal(b.cash, '', 'cash'),
        equity: writeDecimal(b.equity, '', 'equity'),
        marginUsed: writeDecimal(b.marginUsed, '', 'marginUsed'),
        buyingPower: writeDecimal(b.buyingPower, '', 'buyingPower'),
      };
    } catch (err) {
      throw rebase(err, `accountState.balances[${i}]`);
    }
  }
  return { account: x.account, venue: x.venue, balances };
}
