import { createIbAdapter, IbConfigError, type BackfillSymbol, type IbAdapter, type IbConfig } from '@ttquant/adapter-ib';
import { systemClock } from '@ttquant/domain';
import { isGatewayError, UnknownInstrumentError, type AdapterLogger, type InstrumentCache } from '@ttquant/gateway-api';
import { OperationFailedError, UnreachableError, UsageError } from '../cli-errors';

/** IB's "couldn't connect to TWS" (the socket did not open). */
const IB_CONNECT_FAILED = 502;

/** Thrown when Ctrl-C came while connecting or resolving: the command exits 130. */
export class BackfillInterruptedError extends Error {
  override readonly name = 'BackfillInterruptedError';
}

/** What {@link connectIb} needs. */
export interface ConnectIbOptions {
  /** The `ib` configuration with the command's flags applied. */
  readonly config: IbConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: AdapterLogger;
  readonly instrumentCache?: InstrumentCache;
  /** How long TWS may take to accept the session before `ttq` gives up (exit 69). */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/**
 * Builds the IB adapter and waits for a ready session (handshake,
 * `managedAccounts`, `nextValidId`): the adapter itself would retry for
 * ever, which suits a service, not a command an operator is waiting on.
 *
 * @throws UsageError for an invalid IB configuration (paper/live mix-up…)
 * @throws UnreachableError naming host:port when no session is ready in time (exit 69)
 * @throws OperationFailedError when TWS refuses the session (client id in use, wrong account)
 * @throws BackfillInterruptedError on Ctrl-C
 */
export async function connectIb(options: ConnectIbOptions): Promise<IbAdapter> {
  // Until the first session the adapter's reconnect warnings repeat what the final message says: keep only the latest.
  let connecting = true;
  let lastProblem = '';
  const logger: AdapterLogger = {
    debug: (context, message) => {
      if (connecting && (context as { code?: unknown }).code === IB_CONNECT_FAILED) lastProblem = problemText(context, message);
    },
    info: (context, message) => options.logger.info(context, message),
    warn: (context, message) => {
      if (connecting) lastProblem = problemText(context, message);
      else options.logger.warn(context, message);
    },
    error: (context, message) => options.logger.error(context, message),
  };
  let adapter: IbAdapter;
  try {
    adapter = createIbAdapter(options.config, { clock: systemClock, logger, ...(options.instrumentCache && { instrumentCache: options.instrumentCache }) }, { env: options.env });
  } catch (error) {
    if (error instanceof IbConfigError) throw new UsageError(error.message);
    throw error;
  }
  const where = `${options.config.host}:${options.config.port}`;
  let lastReason = 'no answer';
  const stopStatus = adapter.connection.onStatus((status) => {
    if (status.state !== 'CONNECTED') lastReason = status.reason;
  });
  const why = (): string => (lastProblem && lastProblem !== lastReason ? `${lastProblem}; ${lastReason}` : lastReason);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      adapter.connection.acquire(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new UnreachableError('TWS / IB Gateway', where, `no API session within ${options.timeoutMs} ms (last: ${why()})`)),
          options.timeoutMs,
        );
      }),
      new Promise<never>((_resolve, reject) => {
        onAbort = () => reject(new BackfillInterruptedError(`stopped while connecting to TWS at ${where}`));
        if (options.signal.aborted) onAbort();
        else options.signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    connecting = false;
    return adapter;
  } catch (error) {
    await adapter.dispose();
    if (error instanceof UnreachableError || error instanceof BackfillInterruptedError) throw error;
    throw new OperationFailedError(`TWS at ${where} refused the API session (client id ${options.config.clientId}): ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal.removeEventListener('abort', onAbort);
    stopStatus();
  }
}

/**
 * Resolves every symbol to its IB contract through contract details before
 * anything is fetched, so a typo stops the command at once, named, instead of
 * surfacing as a failed request in the middle of a long backfill.
 *
 * @throws OperationFailedError naming the symbol IB does not know (error 200)
 */
export async function resolveSymbols(adapter: IbAdapter, symbols: readonly string[]): Promise<BackfillSymbol[]> {
  const out: BackfillSymbol[] = [];
  for (const symbol of symbols) {
    const instrument = { venue: adapter.venue, symbol };
    try {
      await adapter.instruments.load([instrument]);
    } catch (error) {
      if (error instanceof UnknownInstrumentError) {
        throw new OperationFailedError(`unknown symbol ${symbol}: IB has no security definition for it (error 200); nothing was fetched`);
      }
      const message = `contract details of ${symbol}: ${(error as Error).message}`;
      if (isGatewayError(error) && !error.retryable) throw new OperationFailedError(message);
      // A timeout or a dropped link: TWS stopped answering.
      throw new UnreachableError('TWS / IB Gateway', `${adapter.config.host}:${adapter.config.port}`, message);
    }
    const contract = adapter.instruments.contractOf(instrument);
    out.push({
      instrument,
      contract: {
        conId: contract.conId ?? 0,
        symbol: contract.symbol ?? symbol,
        secType: contract.secType ?? 'STK',
        exchange: contract.exchange ?? 'SMART',
        currency: contract.currency ?? 'USD',
      },
    });
  }
  return out;
}

function problemText(context: object, message?: string): string {
  return logDetail(context) || (message ?? '');
}

/** The telling part of an adapter log entry's context: IB's message, the reason, or the error's message; '' when none. */
export function logDetail(context: object): string {
  const fields = context as { message?: unknown; reason?: unknown; err?: unknown };
  if (typeof fields.message === 'string' && fields.message !== '') return fields.message;
  if (typeof fields.reason === 'string' && fields.reason !== '') return fields.reason;
  if (fields.err instanceof Error) return fields.err.message;
  return '';
}
