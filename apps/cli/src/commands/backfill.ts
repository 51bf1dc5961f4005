import {
  BackfillPlanError,
  BackfillRunner,
  HistoryPacer,
  IbConfigError,
  loadIbConfig,
  planBackfill,
  realSleep,
  REAL_GATEWAY_MARGIN_MS,
  systemHistoryClock,
  TradingCalendar,
  TradingCalendarError,
  type BackfillSpec,
  type IbAdapter,
} from '@ttquant/adapter-ib';
import type { AdapterLogger } from '@ttquant/gateway-api';
import { PgHistoryStore, PgInstrumentCache } from '@ttquant/storage';
import { booleanFlag } from '../args';
import { CLI_EXIT, OperationFailedError, UnreachableError, UsageError } from '../cli-errors';
import type { Command } from '../command';
import { jsonText } from '../output';
import { BACKFILL_FLAGS, parseBackfillArgs } from './backfill-args';
import { openBackfillDatabase } from './backfill-database';
import { BackfillInterruptedError, connectIb, logDetail, resolveSymbols } from './backfill-ib';
import { openPacingJournal } from './backfill-pacing';
import { BackfillProgressLine } from './backfill-progress-line';
import { backfillExitCode, backfillJson, renderBackfillReport } from './backfill-report';

/**
 * `ttq backfill`: historical bars from TWS / IB Gateway into the database.
 *
 * Plans from what is stored (only sessions with bars missing are asked for,
 * so a stopped or crashed backfill resumes), sends every request through a
 * pacer that keeps within IB's pacing rules by waiting, writes each answer as
 * it arrives, and ends with expected against stored bars per symbol and day.
 */
export const backfillCommand: Command = {
  name: 'backfill',
  summary: 'fetch historical bars from IB into the database (paced, resumable) and report what is complete',
  usage:
    'ttq backfill --symbols <A,B,…> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--bar 1m] [--what TRADES] [--rth] ' +
    '[--holidays <dates>] [--tolerate <bars>] [--ib-host <host>] [--ib-port <port>] [--client-id <id>] [--json]',
  flags: BACKFILL_FLAGS,
  async run(args, ctx) {
    const options = parseBackfillArgs(args);
    const json = booleanFlag(args, 'json');
    const config = ctx.config();
    const ibConfig = { ...config.ib, ...options.ib };
    let calendar: TradingCalendar;
    try {
      calendar = new TradingCalendar(options.calendar);
      // Paper/live mix-ups and bad [ib] values are the operator's to fix: say so before touching the database or TWS.
      loadIbConfig(ibConfig, ctx.env);
    } catch (error) {
      if (error instanceof TradingCalendarError || error instanceof IbConfigError) throw new UsageError(error.message);
      throw error;
    }
    const progress = new BackfillProgressLine(ctx.io, 0);
    const { db, where } = await openBackfillDatabase(ctx);
    let adapter: IbAdapter | undefined;
    try {
      const store = new PgHistoryStore(db.pool);
      progress.line(`connecting to TWS at ${ibConfig.host}:${ibConfig.port} as client id ${ibConfig.clientId}`);
      adapter = await connectIb({
        config: ibConfig,
        env: ctx.env,
        logger: adapterLogger(progress),
        instrumentCache: new PgInstrumentCache(db.pool),
        timeoutMs: config.cli.requestTimeout,
        signal: ctx.signal,
      });
      const symbols = await resolveSymbols(adapter, options.symbols);
      if (ctx.signal.aborted) throw new BackfillInterruptedError('stopped before the first request');
      const spec: BackfillSpec = {
        symbols,
        fromMs: options.fromMs,
        toMs: options.toMs,
        barSize: options.barSize,
        whatToShow: options.whatToShow,
        useRth: options.useRth,
        calendar,
        toleratedMissingBars: options.toleratedMissingBars,
      };
      let plan;
      try {
        plan = await planBackfill(spec, store, Date.now());
      } catch (error) {
        if (error instanceof BackfillPlanError) throw new UsageError(error.message);
        // Planning only reads the database: anything else is the database failing.
        throw new UnreachableError('database', where, `reading the stored bars: ${(error as Error).message}`);
      }
      const missing = plan.requests.reduce((sum, r) => sum + r.missingBars, 0);
      progress.line(
        plan.requests.length === 0
          ? `nothing to fetch: ${plan.storedBars} of ${plan.expectedBars} expected bars already stored`
          : `${plan.requests.length} requests for ${missing} missing bars (${plan.storedBars} of ${plan.expectedBars} expected bars already stored)`,
      );
      const pacer = new HistoryPacer({
        clock: systemHistoryClock,
        sleep: realSleep,
        // A real gateway sees requests a little after the pacer releases them: keep a second clear of every window.
        rules: { marginMs: REAL_GATEWAY_MARGIN_MS },
        // IB counts what it received lately, whichever process sent it: start from what earlier backfills sent.
        journal: openPacingJournal(ctx.cwd, ibConfig.host, ibConfig.port),
        onWait: (waitMs) => progress.onPacingWait(waitMs),
      });
      const runner = new BackfillRunner({
        source: adapter.history,
        store,
        pacer,
        clock: systemHistoryClock,
        sleep: realSleep,
        onEvent: (event) => progress.onEvent(event),
      });
      let result;
      try {
        result = await runner.run(plan, ctx.signal);
      } catch (error) {
        // The runner records failed requests itself; what escapes it is the final report's read of the database.
        progress.finish();
        throw new OperationFailedError(
          `backfill could not finish: ${(error as Error).message}; the bars written so far are stored, run the same command again for the rest`,
        );
      }
      progress.finish();
      if (result.stopped) progress.line('stopped by Ctrl-C: the bars that arrived are stored');
      const figures = { pacingWaitMs: pacer.stats().waitedMs, ibDecodeErrors: adapter.connection.decodeErrors };
      if (json) ctx.io.out(jsonText(backfillJson(options, plan, result, figures)));
      else ctx.io.out(renderBackfillReport(options, plan, result, figures));
      return backfillExitCode(result);
    } catch (error) {
      if (error instanceof BackfillInterruptedError) {
        progress.finish();
        ctx.io.err(`ttq: backfill ${error.message}; nothing was fetched\n`);
        return CLI_EXIT.interrupted;
      }
      throw error;
    } finally {
      await adapter?.dispose();
      await db.close();
    }
  },
};

/** The adapter's warnings and errors as lines above the progress bar; its routine chatter stays out of the way. */
function adapterLogger(progress: BackfillProgressLine): AdapterLogger {
  const line = (level: string, context: object, message?: string): void => {
    const detail = logDetail(context);
    progress.line(`${level}: ${message ?? ''}${detail ? ` (${detail})` : ''}`);
  };
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (context, message) => line('warning', context, message),
    error: (context, message) => line('error', context, message),
  };
}
