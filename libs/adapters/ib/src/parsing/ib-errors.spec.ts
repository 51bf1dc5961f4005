import {
  AuthenticationError,
  DuplicateOrderError,
  InsufficientFundsError,
  InvalidOrderError,
  OrderNotFoundError,
  RateLimitError,
  UnknownInstrumentError,
  VenueError,
  VenueUnavailableError,
} from '@ttquant/gateway-api';
import { classifyIbMessage, farmStatus, ibError, isIbCode } from './ib-errors';

describe('IB error table', () => {
  it.each([
    [103, DuplicateOrderError, false],
    [162, RateLimitError, true],
    [200, UnknownInstrumentError, false],
    [201, InvalidOrderError, false],
    [326, AuthenticationError, false],
    [354, AuthenticationError, false],
    [10147, OrderNotFoundError, false],
    [10197, VenueUnavailableError, true],
    [99999, VenueError, false],
  ])('maps %i to %p (retryable %p), keeping code and text', (code, type, retryable) => {
    const error = ibError(code, 'message from TWS', 'what we asked');
    expect(error).toBeInstanceOf(type);
    expect(error.retryable).toBe(retryable);
    expect(error.venueCode).toBe(String(code));
    expect(error.message).toContain(`what we asked: IB ${code}: message from TWS`);
    expect(isIbCode(error, code)).toBe(true);
    expect(isIbCode(error, code + 1)).toBe(false);
  });

  it('tells a margin refusal (201) from other order rejects', () => {
    expect(ibError(201, 'Order rejected - reason:YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE MUST EXCEED THE INITIAL MARGIN')).toBeInstanceOf(InsufficientFundsError);
  });

  it('waits 15 s after a pacing violation', () => {
    expect((ibError(162, 'pacing violation') as RateLimitError).retryAfterMs).toBe(15_000);
  });

  it('sorts notices from errors', () => {
    expect([1100, 1101, 1102, 2110].map(classifyIbMessage)).toEqual(['connectivity', 'connectivity', 'connectivity', 'connectivity']);
    expect([2103, 2104, 2105, 2106, 2158].map(classifyIbMessage)).toEqual(['farm', 'farm', 'farm', 'farm', 'farm']);
    expect([202, 399, 10167, 2119].map(classifyIbMessage)).toEqual(['info', 'info', 'info', 'info']);
    expect([103, 162, 200, 201, 326, 10197].map(classifyIbMessage)).toEqual(['error', 'error', 'error', 'error', 'error', 'error']);
    expect(farmStatus(2103)).toEqual({ farm: 'market-data', up: false });
    expect(farmStatus(2106)).toEqual({ farm: 'historical', up: true });
    expect(farmStatus(201)).toBeUndefined();
  });
});
