import type { Decimal, RoundingMode } from './decimal';
import { instrumentKey, sameInstrument, type Instrument } from './instrument';
import type { OrderSpec } from './orders';

/**
 * Rounds a price to the instrument's tick size (half-even unless told otherwise:
 * pass `floor` for a bid you must not overpay, `ceil` for an offer).
 * @throws DecimalError when the tick size is not positive.
 */
export function roundPrice(
  instrument: Pick<Instrument, 'tickSize'>,
  price: Decimal,
  mode: RoundingMode = 'half-even',
): Decimal {
  return price.roundToIncrement(instrument.tickSize, mode);
}

/**
 * Rounds a quantity to the instrument's lot size, towards zero by default so a
 * sized order never grows beyond what was computed.
 * @throws DecimalError when the lot size is not positive.
 */
export function roundQuantity(
  instrument: Pick<Instrument, 'lotSize'>,
  quantity: Decimal,
  mode: RoundingMode = 'down',
): Decimal {
  return quantity.roundToIncrement(instrument.lotSize, mode);
}

/**
 * Why a price does not fit the instrument's tick, or `undefined` when it does.
 * Sign is not checked here: some instruments (spreads, some futures) trade at
 * negative prices; order validation requires positive limit and stop prices.
 *
 * @example
 * checkPrice({ tickSize: Decimal.parse('0.01') }, Decimal.parse('101.237'));
 * // 'price 101.237 is not a multiple of tick size 0.01'
 */
export function checkPrice(instrument: Pick<Instrument, 'tickSize'>, price: Decimal): string | undefined {
  // An instrument without a usable tick is bad reference data: refuse rather than pass anything.
  if (!instrument.tickSize.isPositive()) return `expected a positive tick size, was ${instrument.tickSize.toString()}`;
  if (!price.isMultipleOf(instrument.tickSize)) {
    return `price ${price.toString()} is not a multiple of tick size ${instrument.tickSize.toString()}`;
  }
  return undefined;
}

/**
 * Why an order quantity does not fit the instrument (not positive, not a whole
 * number of lots, below the minimum), or `undefined` when it does.
 */
export function checkQuantity(
  instrument: Pick<Instrument, 'lotSize' | 'minQuantity'>,
  quantity: Decimal,
): string | undefined {
  if (!quantity.isPositive()) return `expected quantity > 0, was ${quantity.toString()}`;
  if (!instrument.lotSize.isPositive()) return `expected a positive lot size, was ${instrument.lotSize.toString()}`;
  if (!quantity.isMultipleOf(instrument.lotSize)) {
    return `quantity ${quantity.toString()} is not a multiple of lot size ${instrument.lotSize.toString()}`;
  }
  if (quantity.lt(instrument.minQuantity)) {
    return `quantity ${quantity.toString()} is below the minimum quantity ${instrument.minQuantity.toString()}`;
  }
  return undefined;
}

/**
 * Value of `quantity` at `price` in the instrument's currency:
 * price × quantity × multiplier, exact and signed as its inputs (take `abs()`
 * for exposure).
 */
export function notional(instrument: Pick<Instrument, 'multiplier'>, price: Decimal, quantity: Decimal): Decimal {
  return price.mul(quantity).mul(instrument.multiplier);
}

/**
 * Checks an order's instrument, quantity and prices against the instrument's
 * reference data: what risk and the sim venue run after `validateOrderSpec`.
 */
export function checkOrderForInstrument(
  spec: Pick<OrderSpec, 'instrument' | 'quantity' | 'limitPrice' | 'stopPrice'>,
  instrument: Pick<Instrument, 'id' | 'tickSize' | 'lotSize' | 'minQuantity'>,
): string | undefined {
  if (!sameInstrument(spec.instrument, instrument.id)) {
    return `expected instrument ${instrumentKey(instrument.id)}, was ${instrumentKey(spec.instrument)}`;
  }
  const quantityProblem = checkQuantity(instrument, spec.quantity);
  if (quantityProblem) return quantityProblem;
  return checkOrderPrice('limit', instrument, spec.limitPrice) ?? checkOrderPrice('stop', instrument, spec.stopPrice);
}

function checkOrderPrice(
  label: 'limit' | 'stop',
  instrument: Pick<Instrument, 'tickSize'>,
  price: Decimal | undefined,
): string | undefined {
  if (price === undefined) return undefined;
  const reason = checkPrice(instrument, price);
  // Name which price is off; the tick-size complaint is about the instrument, not the price.
  return reason?.startsWith('price ') ? `${label} ${reason}` : reason;
}
