/**
 * Client order ids: the idempotency key of an order from the strategy to the
 * venue, so they must fit the strictest venue (at most 32 characters of
 * `[A-Za-z0-9]`) and never repeat, not even across restarts.
 *
 * Ids made by {@link ClientOrderIdGenerator} read, left to right:
 * 1. **strategy tag** (1–12 characters): the strategy id itself when it is
 *    already alphanumeric and at most 12 characters; otherwise its first
 *    6 alphanumeric characters followed by a 6-digit base36 hash of the full id,
 *    so `mean-rev` and `meanrev` (or two long ids sharing a prefix) still differ;
 * 2. **run epoch**: 8 lowercase base36 digits, zero-padded (a run start time in
 *    epoch milliseconds fits until the year 2059);
 * 3. **counter**: lowercase base36, starting at 1;
 * 4. **counter length**: one base36 digit, so the id parses back unambiguously
 *    from the right (see {@link parseClientOrderId}).
 *
 * The strategy tag is shortened from its end only when the counter grows so
 * long that the id would exceed 32 characters (past 36^11 orders in one run).
 *
 * @example
 * const ids = new ClientOrderIdGenerator('momentum', 1_700_000_000_000);
 * ids.next(); // 'momentum' + 'loyw3v28' + '1' + '1' = 'momentumloyw3v2811'
 * ids.next(); // 'momentumloyw3v2821'
 */

/** At most 32 characters of `[A-Za-z0-9]`: what every supported venue accepts. */
export const CLIENT_ORDER_ID_PATTERN = /^[A-Za-z0-9]{1,32}$/;

/** The longest client order id any supported venue accepts. */
export const MAX_CLIENT_ORDER_ID_LENGTH = 32;

const EPOCH_DIGITS = 8;
const MAX_TAG_LENGTH = 12;
const HASH_DIGITS = 6;
const EPOCH_LIMIT = 36n ** BigInt(EPOCH_DIGITS);
const HASH_MODULUS = 36 ** HASH_DIGITS;
const NON_ALPHANUMERIC = /[^A-Za-z0-9]/g;
const BASE36_LOWER = /^[0-9a-z]+$/;

/** True when `id` is 1–32 characters of `[A-Za-z0-9]`, whoever made it. */
export function isValidClientOrderId(id: string): boolean {
  return CLIENT_ORDER_ID_PATTERN.test(id);
}

/**
 * The strategy tag that starts every id made for `strategyId` (see the format
 * above); lets reconciliation recognise a strategy's orders at the venue.
 */
export function clientOrderIdStrategyTag(strategyId: string): string {
  const clean = strategyId.replace(NON_ALPHANUMERIC, '');
  if (clean === strategyId && clean.length > 0 && clean.length <= MAX_TAG_LENGTH) return clean;
  const hash = (fnv1a32(strategyId) % HASH_MODULUS).toString(36).padStart(HASH_DIGITS, '0');
  return clean.slice(0, MAX_TAG_LENGTH - HASH_DIGITS) + hash;
}

/** The parts of an id made by {@link ClientOrderIdGenerator}. */
export interface ClientOrderIdParts {
  /** The strategy tag, possibly shortened for a very long counter. */
  readonly strategyTag: string;
  readonly runEpoch: bigint;
  readonly counter: bigint;
}

/**
 * Splits an id made by {@link ClientOrderIdGenerator}; `undefined` for ids in
 * any other format (a valid id need not be one of ours).
 */
export function parseClientOrderId(id: string): ClientOrderIdParts | undefined {
  if (!isValidClientOrderId(id)) return undefined;
  const counterLength = parseInt(id.charAt(id.length - 1), 36);
  const tagLength = id.length - 1 - counterLength - EPOCH_DIGITS;
  if (!(counterLength >= 1) || tagLength < 1) return undefined;
  const epochText = id.slice(tagLength, tagLength + EPOCH_DIGITS);
  const counterText = id.slice(tagLength + EPOCH_DIGITS, id.length - 1);
  if (!BASE36_LOWER.test(epochText) || !BASE36_LOWER.test(counterText)) return undefined;
  return { strategyTag: id.slice(0, tagLength), runEpoch: parseBase36(epochText), counter: parseBase36(counterText) };
}

/**
 * Makes the client order ids of one strategy in one run. Give every run a new
 * epoch (its start time in milliseconds is the usual choice) so ids stay
 * unique across restarts.
 *
 * @example
 * const ids = new ClientOrderIdGenerator('mean-rev', Date.now());
 * const first = ids.next();
 */
export class ClientOrderIdGenerator {
  readonly strategyTag: string;
  private readonly epochText: string;
  private counter: bigint;

  /**
   * @param strategyId any non-empty text; it is reduced to the strategy tag
   * @param runEpoch a non-negative integer below 36^8 (2 821 109 907 456), unique per run
   * @param firstCounter the counter of the first id (default 1), to continue a run
   * @throws RangeError when the strategy id is empty or a number is out of range
   */
  constructor(strategyId: string, runEpoch: number | bigint, firstCounter: number | bigint = 1) {
    if (strategyId.length === 0) throw new RangeError('expected a non-empty strategyId, was ""');
    const epoch = toBigInt(runEpoch, 'runEpoch');
    if (epoch < 0n || epoch >= EPOCH_LIMIT) {
      throw new RangeError(`expected runEpoch within 0..${EPOCH_LIMIT - 1n} (e.g. epoch milliseconds), was ${epoch}`);
    }
    const first = toBigInt(firstCounter, 'firstCounter');
    if (first < 1n) throw new RangeError(`expected firstCounter >= 1, was ${first}`);
    this.strategyTag = clientOrderIdStrategyTag(strategyId);
    this.epochText = epoch.toString(36).padStart(EPOCH_DIGITS, '0');
    this.counter = first;
  }

  /**
   * The next id; never longer than 32 characters.
   * @throws RangeError once the counter no longer fits (beyond 36^22 ids)
   */
  next(): string {
    const counterText = this.counter.toString(36);
    const tagBudget = MAX_CLIENT_ORDER_ID_LENGTH - EPOCH_DIGITS - 1 - counterText.length;
    if (tagBudget < 1) throw new RangeError(`client order id counter exhausted at ${this.counter}`);
    this.counter++;
    const tag = this.strategyTag.length <= tagBudget ? this.strategyTag : this.strategyTag.slice(0, tagBudget);
    return tag + this.epochText + counterText + counterText.length.toString(36);
  }
}

function toBigInt(value: number | bigint, field: string): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new RangeError(`expected ${field} to be a safe integer, was ${value}`);
  return BigInt(value);
}

function parseBase36(text: string): bigint {
  let value = 0n;
  for (let i = 0; i < text.length; i++) value = value * 36n + BigInt(parseInt(text.charAt(i), 36));
  return value;
}

/** 32-bit FNV-1a over UTF-16 code units: tiny, stable and well spread for short keys. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
