import { Decimal, type Heartbeat, type PositionSnapshot } from '@ttquant/domain';
import { PNL_SCALE, realizedByCurrency } from './sim-monitor';
import type { StoredRun } from './sim-database';

/**
 * What a simulation run did, as written by `--summary <file>`. The first ten
 * keys are the contract (numbers as JSON numbers, PnL as decimal strings with
 * {@link PNL_SCALE} places); the rest help to find the run's files.
 */
export interface SimSummary {
  /** Ticks market-data published: its final heartbeat's `ticksPublished` (its own sequence numbers). */
  readonly ticksPublished: number | null;
  /** Quote and trade rows in the run's database. */
  readonly ticksStored: number | null;
  /** Client order ids the gateway knows: its final heartbeat's `orders`. */
  readonly ordersSubmitted: number | null;
  /** Rows in the current-orders table. */
  readonly ordersStored: number | null;
  /** The gateway's final heartbeat `fills`. */
  readonly fills: number | null;
  readonly fillsStored: number | null;
  /** The gateway's final heartbeat `closingFills`: fills that reduced a position. */
  readonly closingFills: number | null;
  /** Sequence gaps persistence and the strategy engine detected (final heartbeats `gaps`). */
  readonly gaps: number | null;
  /** Sum of the gateway's last published positions' realised PnL (per currency when several). */
  readonly realizedPnl: string;
  /** The same, recomputed from the stored fills by SQL (libs/storage). */
  readonly realizedPnlFromStoredFills: string | null;
  /** Currency of the PnL figures ('' when there were no positions). */
  readonly pnlCurrency: string;
  readonly account: string;
  readonly durationSeconds: number;
  readonly runId: string;
  readonly runDir: string;
  /** The run's database on the server. */
  readonly database: string;
  /** Everything that does not add up, in words; empty for a clean run. */
  readonly problems: readonly string[];
}

/** What {@link buildSummary} combines. */
export interface SummaryInputs {
  readonly account: string;
  readonly runId: string;
  readonly runDir: string;
  readonly database: string;
  readonly durationSeconds: number;
  /** The last heartbeat of each service, by service name. */
  readonly heartbeats: Readonly<Record<string, Heartbeat | undefined>>;
  /** The gateway's last published position per instrument. */
  readonly positions: readonly PositionSnapshot[];
  /** What the database holds; undefined when it could not be read. */
  readonly stored: StoredRun | undefined;
}

/** PnL text: one currency → `12.3400`; several → `12.3400 USD, 1.0000 EUR`; none → `0.0000`. */
export function pnlText(byCurrency: ReadonlyMap<string, Decimal>): string {
  const entries = [...byCurrency.entries()].sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return Decimal.ZERO.toFixed(PNL_SCALE);
  if (entries.length === 1) return (entries[0]?.[1] ?? Decimal.ZERO).toFixed(PNL_SCALE);
  return entries.map(([currency, value]) => `${value.toFixed(PNL_SCALE)} ${currency}`).join(', ');
}

/** Combines final heartbeats, the gateway's positions and the stored rows into the summary. */
export function buildSummary(inputs: SummaryInputs): SimSummary {
  const problems: string[] = [];
  const counter = (service: string, key: string): number | null => {
    const beat = inputs.heartbeats[service];
    if (!beat) {
      problems.push(`no heartbeat from ${service}, so ${key} is unknown`);
      return null;
    }
    const text = beat.info[key];
    if (text === undefined || !/^\d+$/.test(text)) {
      problems.push(`${service} heartbeat: expected ${key} as a whole number, was ${JSON.stringify(text)}`);
      return null;
    }
    return Number(text);
  };
  for (const [service, beat] of Object.entries(inputs.heartbeats)) {
    if (beat && beat.state !== 'STOPPED') problems.push(`no final heartbeat from ${service} (last state ${beat.state}): its figures may be stale`);
  }

  const persistenceGaps = counter('persistence', 'gaps');
  const strategyGaps = counter('strategy-engine', 'gaps');
  const gatewayPnl = realizedByCurrency(inputs.positions);
  const storedPnl = inputs.stored
    ? new Map([...inputs.stored.realizedPnlFromStoredFills.entries()].map(([currency, text]) => [currency, Decimal.parse(text)]))
    : undefined;
  const currencies = new Set([...gatewayPnl.keys(), ...(storedPnl?.keys() ?? [])]);

  const summary: SimSummary = {
    ticksPublished: counter('market-data', 'ticksPublished'),
    ticksStored: inputs.stored?.counts.ticks ?? null,
    ordersSubmitted: counter('gateway', 'orders'),
    ordersStored: inputs.stored?.counts.orders ?? null,
    fills: counter('gateway', 'fills'),
    fillsStored: inputs.stored?.counts.fills ?? null,
    closingFills: counter('gateway', 'closingFills'),
    gaps: persistenceGaps === null || strategyGaps === null ? null : persistenceGaps + strategyGaps,
    realizedPnl: pnlText(gatewayPnl),
    realizedPnlFromStoredFills: storedPnl ? pnlText(storedPnl) : null,
    pnlCurrency: currencies.size === 1 ? ([...currencies][0] ?? '') : '',
    account: inputs.account,
    durationSeconds: inputs.durationSeconds,
    runId: inputs.runId,
    runDir: inputs.runDir,
    database: inputs.database,
    problems,
  };
  if (!inputs.stored) problems.push('the database could not be read, so nothing stored is known');
  const pair = (what: string, a: number | string | null, aName: string, b: number | string | null, bName: string) => {
    if (a !== null && b !== null && a !== b) problems.push(`${what}: ${aName} ${a} but ${bName} ${b}`);
  };
  pair('ticks', summary.ticksPublished, 'published', summary.ticksStored, 'stored');
  pair('orders', summary.ordersSubmitted, 'known to the gateway', summary.ordersStored, 'stored');
  pair('fills', summary.fills, 'made', summary.fillsStored, 'stored');
  pair('realised PnL', summary.realizedPnl, 'from the gateway', summary.realizedPnlFromStoredFills, 'from stored fills');
  if (summary.gaps !== null && summary.gaps > 0) problems.push(`${summary.gaps} sequence gap(s) were detected`);
  return summary;
}

/** The summary for people: one line per figure, stored figures beside what they must equal. */
export function renderSummary(summary: SimSummary): string {
  const show = (value: number | string | null) => (value === null ? 'unknown' : String(value));
  const check = (a: number | string | null, b: number | string | null) => (a === null || b === null ? '' : a === b ? '  ok' : '  MISMATCH');
  const ccy = summary.pnlCurrency ? ` ${summary.pnlCurrency}` : '';
  const lines = [
    `run ${summary.runId}: ${summary.durationSeconds}s, account ${summary.account}, database ${summary.database}`,
    `  ticks          published ${show(summary.ticksPublished)}, stored ${show(summary.ticksStored)}${check(summary.ticksPublished, summary.ticksStored)}`,
    `  orders         submitted ${show(summary.ordersSubmitted)}, stored ${show(summary.ordersStored)}${check(summary.ordersSubmitted, summary.ordersStored)}`,
    `  fills          ${show(summary.fills)} (closing ${show(summary.closingFills)}), stored ${show(summary.fillsStored)}${check(summary.fills, summary.fillsStored)}`,
    `  gaps           ${show(summary.gaps)}`,
    `  realised PnL   ${summary.realizedPnl}${ccy} (gateway), ${show(summary.realizedPnlFromStoredFills)}${ccy} (stored fills)${check(summary.realizedPnl, summary.realizedPnlFromStoredFills)}`,
    `  logs           ${summary.runDir}`,
  ];
  if (summary.problems.length > 0) lines.push('problems:', ...summary.problems.map((p) => `  - ${p}`));
  return lines.join('\n') + '\n';
}
