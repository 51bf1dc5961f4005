import type { Decimal } from './decimal';
import type { InstrumentId } from './instrument';

/** A position as published on the bus and stored. `quantity` is signed: negative is short. */
export interface PositionSnapshot {
  readonly account: string;
  readonly instrument: InstrumentId;
  readonly quantity: Decimal;
  readonly avgPrice: Decimal;
  /** Net of commissions, in `currency` (the instrument's quote currency). */
  readonly realizedPnl: Decimal;
  readonly unrealizedPnl: Decimal;
  readonly currency: string;
}

export interface Balance {
  readonly currency: string;
  readonly cash: Decimal;
  readonly equity: Decimal;
  readonly marginUsed: Decimal;
  readonly buyingPower: Decimal;
}

/** Cash, equity, margin and buying power per currency. */
export interface AccountState {
  readonly account: string;
  readonly venue: string;
  readonly balances: readonly Balance[];
}
