import { Decimal, type AccountState, type Balance } from '@ttquant/domain';
import type { IbConnection } from '../connection/ib-connection';

/** Account summary tags the adapter streams. */
export const IB_ACCOUNT_TAGS = ['NetLiquidation', 'TotalCashValue', 'BuyingPower', 'AvailableFunds', 'InitMarginReq'];

/** What {@link IbAccountStream} needs from the execution client. */
export interface IbAccountStreamOptions {
  readonly venue: string;
  /** IB's id of the account traded (known once a session is ready): the summary lines to keep. */
  ibAccount(): string;
  /** TTQuant's name for the account: what the account states carry. */
  accountName(): string;
  /** Hands an account state on: the full set once per session, then each batch of changes. */
  emit(state: AccountState): void;
}

/**
 * The account summary of one account: one subscription per session (TWS
 * serves two at a time and answers 322 beyond), the values it streams, and
 * the state built from them (cash, equity, margin, buying power per currency).
 */
export class IbAccountStream {
  private readonly values = new Map<string, { value: string; currency: string }>();
  private complete = false;
  private waiters: (() => void)[] = [];
  private reqId = 0;
  private subscribedSession = 0;
  private reportScheduled = false;

  constructor(
    private readonly connection: IbConnection,
    private readonly options: IbAccountStreamOptions,
  ) {}

  /** True once the first full set of values of this session arrived. */
  get ready(): boolean {
    return this.complete;
  }

  /** A new session: the old subscription died with its socket; values are collected again. */
  reset(): void {
    this.complete = false;
    this.values.clear();
  }

  /** Subscribes for `session`, unless already done in it (a retried reconciliation adds none). */
  subscribe(session: number): void {
    if (this.subscribedSession === session && this.reqId !== 0) return;
    const reqId = this.connection.nextRequestId();
    this.reqId = reqId;
    this.subscribedSession = session;
    this.connection.send('subscribe to the account summary', (api) => api.reqAccountSummary(reqId, 'All', IB_ACCOUNT_TAGS.join(',')));
  }

  /** The account state, once the first full set of values came (waits for it, bounded by the request timeout). */
  async state(): Promise<AccountState> {
    if (!this.complete) {
      const slot = this.connection.openRequest<void>('account summary');
      this.waiters.push(() => slot.resolve());
      await slot.promise;
    }
    return this.build();
  }

  /** An accountSummary event. */
  onValue(reqId: number, account: string, tag: string, value: string, currency: string): void {
    if (reqId !== this.reqId || account !== this.options.ibAccount()) return;
    this.values.set(`${tag}:${currency}`, { value, currency });
    // After the first full set, TWS streams changed values alone: report them once per batch.
    if (this.complete && !this.reportScheduled) {
      this.reportScheduled = true;
      setImmediate(() => {
        this.reportScheduled = false;
        this.options.emit(this.build());
      });
    }
  }

  /** An accountSummaryEnd event. */
  onEnd(reqId: number): void {
    if (reqId !== this.reqId) return;
    this.complete = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    this.options.emit(this.build());
  }

  private build(): AccountState {
    const currencies = new Set<string>();
    for (const { currency } of this.values.values()) if (currency && currency !== 'BASE') currencies.add(currency);
    const read = (tag: string, currency: string): Decimal => {
      const text = this.values.get(`${tag}:${currency}`)?.value;
      const value = text === undefined ? Number.NaN : Number(text);
      return Number.isFinite(value) ? Decimal.fromNumber(value).normalize() : Decimal.ZERO;
    };
    const balances: Balance[] = [...currencies].map((currency) => ({
      currency,
      cash: read('TotalCashValue', currency),
      equity: read('NetLiquidation', currency),
      marginUsed: read('InitMarginReq', currency),
      buyingPower: read('BuyingPower', currency),
    }));
    return { account: this.options.accountName(), venue: this.options.venue, balances };
  }
}
