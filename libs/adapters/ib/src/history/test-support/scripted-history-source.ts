import type { IbBarRequest, IbHistoricalBar, IbHistorySource } from '../../history-source';
import { ibBar } from './history-fixtures';

/** A request as the scripted source saw it. */
export interface SeenRequest {
  readonly request: IbBarRequest;
  readonly atMs: number;
}

/**
 * An `IbHistorySource` for specs: answers every request with one-minute bars
 * for its window (parsed from end time and duration the way IB reads them),
 * unless a scripted answer for the symbol and end time says otherwise.
 */
export class ScriptedHistorySource implements IbHistorySource {
  readonly seen: SeenRequest[] = [];
  /** Answers by `symbol endDateTime`, used up one per attempt: an error to throw, or bars to send. */
  readonly script = new Map<string, (Error | IbHistoricalBar[])[]>();
  /** Requests (`symbol endDateTime`) that never get an answer, like a process killed mid-request. */
  readonly hang = new Set<string>();
  /** When set, every answer waits for it (to hold requests in flight). */
  gate: Promise<void> | undefined;
  private inFlight = 0;
  /** The most requests seen in flight at once. */
  maxInFlight = 0;

  constructor(private readonly clock: { now(): number }) {}

  async requestBars(request: IbBarRequest): Promise<IbHistoricalBar[]> {
    this.seen.push({ request, atMs: this.clock.now() });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate;
      if (this.hang.has(`${request.contract.symbol} ${request.endDateTime}`)) await new Promise<never>(() => undefined);
      const scripted = this.script.get(`${request.contract.symbol} ${request.endDateTime}`)?.shift();
      if (scripted instanceof Error) throw scripted;
      if (scripted) return scripted;
      const endMs = parseIbUtc(request.endDateTime);
      const bars: IbHistoricalBar[] = [];
      for (let t = endMs - durationMs(request.duration); t < endMs; t += 60_000) bars.push(ibBar(t));
      return bars;
    } finally {
      this.inFlight--;
    }
  }
}

/** `yyyyMMdd-HH:mm:ss` UTC to epoch ms. */
export function parseIbUtc(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`expected yyyyMMdd-HH:mm:ss, was ${JSON.stringify(text)}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function durationMs(duration: string): number {
  const m = /^(\d+) ([SD])$/.exec(duration);
  if (!m) throw new Error(`expected a duration "N S" or "N D", was ${JSON.stringify(duration)}`);
  return Number(m[1]) * (m[2] === 'S' ? 1_000 : 86_400_000);
}
