import type { Clock, Instrument } from '@ttquant/domain';
import { replayRowToMarketData, type ReplayRow } from './csv-replay';
import { RandomWalk, instrumentSeed, type RandomWalkParams } from './random-walk';
import type { CancelTask, SimScheduler } from './scheduler';
import type { SimVenue } from './sim-venue';

/** How a feed moves one instrument: a random walk, or the rows of a replay file. */
export type FeedSource =
  | { readonly kind: 'random-walk'; readonly instrument: Instrument; readonly params: RandomWalkParams }
  | { readonly kind: 'replay'; readonly instrument: Instrument; readonly rows: readonly ReplayRow[] };

/** Options of a {@link SimMarketFeed}. */
export interface SimMarketFeedOptions {
  readonly sources: readonly FeedSource[];
  /** Run seed; each instrument's walk derives its own from it. */
  readonly seed: number;
  /**
   * Random-walk steps per second (every walk steps together). Above
   * {@link TIMER_STEP_LIMIT} a 1 ms timer runs the steps that fell due since
   * the last callback, paced by the clock.
   */
  readonly ticksPerSecond: number;
  /** Replay pace: 1 recorded pace, 0 as fast as possible. */
  readonly replaySpeed: number;
  /** Start each replay again at its end. */
  readonly replayLoop: boolean;
  readonly clock: Clock;
  readonly scheduler: SimScheduler;
}

/**
 * Highest rate stepped one step per timer callback: Node's timers do not fire
 * more often than every millisecond, so faster feeds step in small bursts.
 */
export const TIMER_STEP_LIMIT = 1000;

/**
 * Most milliseconds of steps caught up in one callback: after a long stall
 * (GC, a busy machine) the walk skips ahead instead of flooding the bus.
 */
const MAX_CATCH_UP_MS = 100;

/**
 * Moves the simulated venue's market: steps the random walks on a timer and
 * plays replay files at their recorded pace (scaled by the speed). Items are
 * stamped with the clock's time when they are emitted, so a replay behaves like
 * a live market.
 */
export class SimMarketFeed {
  private readonly walks: RandomWalk[] = [];
  private readonly replays: { instrument: Instrument; rows: readonly ReplayRow[] }[] = [];
  private readonly cancels: CancelTask[] = [];
  /** The pending next row of each replay, by replay index; replaced at every row so nothing accumulates. */
  private readonly replayTimers = new Map<number, CancelTask>();
  private running = false;

  constructor(
    private readonly simulator: SimVenue,
    private readonly options: SimMarketFeedOptions,
  ) {
    for (const source of options.sources) {
      if (source.kind === 'random-walk') {
        this.walks.push(new RandomWalk(source.instrument, source.params, instrumentSeed(options.seed, source.instrument.id.symbol)));
      } else if (source.rows.length > 0) {
        this.replays.push({ instrument: source.instrument, rows: source.rows });
      }
    }
  }

  /** True between start() and stop(). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Starts moving the market: one walk step at once, then on the timer; replays from their first row. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.walks.length > 0) {
      this.step();
      const { ticksPerSecond } = this.options;
      if (ticksPerSecond <= TIMER_STEP_LIMIT) {
        this.cancels.push(this.options.scheduler.every(1000 / ticksPerSecond, () => this.step()));
      } else {
        this.startBursts(ticksPerSecond);
      }
    }
    this.replays.forEach((_, slot) => this.playFrom(slot, 0));
  }

  /** Stops every timer; the venue keeps its last quotes. */
  stop(): void {
    this.running = false;
    for (const cancel of this.cancels.splice(0)) cancel();
    for (const cancel of this.replayTimers.values()) cancel();
    this.replayTimers.clear();
  }

  /** One random-walk step of every walking instrument. */
  step(): void {
    const now = this.options.clock.nowNanos();
    for (const walk of this.walks) {
      const { quote, trade } = walk.next(now);
      this.simulator.updateMarket(quote);
      if (trade) this.simulator.publishTrade(trade);
    }
  }

  /**
   * Steps faster than timers fire: every millisecond, as many steps as are due
   * by the clock since start. Each step still reads the clock, so every tick
   * carries the time it was made.
   */
  private startBursts(ticksPerSecond: number): void {
    const startNanos = this.options.clock.nowNanos();
    const stepsPerNano = ticksPerSecond / 1e9;
    const maxBurst = Math.max(1, Math.ceil((ticksPerSecond * MAX_CATCH_UP_MS) / 1000));
    let done = 1; // the step made by start()
    this.cancels.push(
      this.options.scheduler.every(1, () => {
        const due = 1 + Math.floor(Number(this.options.clock.nowNanos() - startNanos) * stepsPerNano);
        if (due - done > maxBurst) done = due - maxBurst;
        for (; done < due; done++) this.step();
      }),
    );
  }

  private playFrom(slot: number, index: number): void {
    this.replayTimers.delete(slot);
    if (!this.running) return;
    const replay = this.replays[slot];
    const row = replay.rows[index];
    const item = replayRowToMarketData(row, replay.instrument, this.options.clock.nowNanos());
    if (item.kind === 'quote') this.simulator.updateMarket(item);
    else this.simulator.publishTrade(item);

    let next = index + 1;
    if (next >= replay.rows.length) {
      if (!this.options.replayLoop) return;
      next = 0;
    }
    const gapNanos = next === 0 ? 0n : replay.rows[next].time - row.time;
    const delayMs = this.options.replaySpeed === 0 ? 0 : Number(gapNanos / 1_000_000n) / this.options.replaySpeed;
    this.replayTimers.set(slot, this.options.scheduler.schedule(delayMs, () => this.playFrom(slot, next)));
  }
}
