/**
 * IB's historical bar sizes with their length and the longest window one
 * request may cover (IB's "valid duration and bar size" combinations: a longer
 * window is refused, so a backfill splits its range into windows this long).
 */

/** One bar size IB accepts. */
export interface IbBarSize {
  /** IB's spelling, e.g. `1 min`, `1 day`. */
  readonly text: string;
  /** Bar length in seconds. */
  readonly seconds: number;
  /** Longest window of one request, in seconds. */
  readonly maxWindowSeconds: number;
  /** True for daily bars: IB stamps them with a date, not a time. */
  readonly daily: boolean;
}

/** Thrown for a bar size IB does not know. */
export class UnknownBarSizeError extends Error {
  override readonly name = 'UnknownBarSizeError';
}

const DAY = 86_400;
const TABLE: readonly [string, number, number][] = [
  ['1 secs', 1, 1_800],
  ['5 secs', 5, 3_600],
  ['10 secs', 10, 14_400],
  ['15 secs', 15, 14_400],
  ['30 secs', 30, 28_800],
  ['1 min', 60, DAY],
  ['2 mins', 120, 2 * DAY],
  ['3 mins', 180, 7 * DAY],
  ['5 mins', 300, 7 * DAY],
  ['10 mins', 600, 7 * DAY],
  ['15 mins', 900, 14 * DAY],
  ['20 mins', 1_200, 14 * DAY],
  ['30 mins', 1_800, 30 * DAY],
  ['1 hour', 3_600, 30 * DAY],
  ['2 hours', 7_200, 30 * DAY],
  ['3 hours', 10_800, 30 * DAY],
  ['4 hours', 14_400, 30 * DAY],
  ['8 hours', 28_800, 30 * DAY],
  ['1 day', DAY, 365 * DAY],
];

const BAR_SIZES: ReadonlyMap<string, IbBarSize> = new Map(
  TABLE.map(([text, seconds, maxWindowSeconds]) => [text, { text, seconds, maxWindowSeconds, daily: seconds === DAY }]),
);

/** Every bar size a backfill supports, shortest first. */
export const IB_BAR_SIZES: readonly string[] = TABLE.map(([text]) => text);

/**
 * Looks a bar size up by IB's spelling.
 * @throws UnknownBarSizeError listing the sizes IB accepts
 */
export function ibBarSize(text: string): IbBarSize {
  const size = BAR_SIZES.get(text);
  if (!size) throw new UnknownBarSizeError(`expected an IB bar size (${IB_BAR_SIZES.join(', ')}), was ${JSON.stringify(text)}`);
  return size;
}

/** An instant (epoch ms) as the UTC end-time text `yyyyMMdd-HH:mm:ss` of a historical request. */
export function ibEndDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 19)}`;
}
