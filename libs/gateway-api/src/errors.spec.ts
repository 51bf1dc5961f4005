import {
  AuthenticationError,
  DisconnectedError,
  DuplicateOrderError,
  GatewayError,
  InsufficientFundsError,
  InvalidOrderError,
  isGatewayError,
  isRetryable,
  mapVenueError,
  NetworkError,
  NotSupportedError,
  OrderNotFoundError,
  RateLimitError,
  RequestTimeoutError,
  UnknownInstrumentError,
  VenueError,
  VenueUnavailableError,
  type ErrorMapping,
} from './errors';

describe('error tree', () => {
  it.each([
    [AuthenticationError, 'AuthenticationError'],
    [InvalidOrderError, 'InvalidOrderError'],
    [DuplicateOrderError, 'DuplicateOrderError'],
    [OrderNotFoundError, 'OrderNotFoundError'],
    [InsufficientFundsError, 'InsufficientFundsError'],
    [UnknownInstrumentError, 'UnknownInstrumentError'],
    [NotSupportedError, 'NotSupportedError'],
  ])('%p is a non-retryable venue error named %s', (ErrorClass, name) => {
    const error = new ErrorClass('refused');
    expect(error).toBeInstanceOf(VenueError);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.retryable).toBe(false);
    expect(isRetryable(error)).toBe(false);
  });

  it.each([
    [RateLimitError, 'RateLimitError'],
    [RequestTimeoutError, 'RequestTimeoutError'],
    [VenueUnavailableError, 'VenueUnavailableError'],
    [DisconnectedError, 'DisconnectedError'],
  ])('%p is a retryable network error named %s', (ErrorClass, name) => {
    const error = new ErrorClass('no answer');
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(VenueError);
    expect(error.name).toBe(name);
    expect(error.retryable).toBe(true);
    expect(isRetryable(error)).toBe(true);
  });

  it('keeps the venue code, raw payload, cause and retry-after', () => {
    const cause = new Error('socket hang up');
    const error = new RateLimitError('slow down', { venueCode: '-1003', raw: { code: -1003 }, cause, retryAfterMs: 1500 });
    expect(error.venueCode).toBe('-1003');
    expect(error.raw).toEqual({ code: -1003 });
    expect(error.cause).toBe(cause);
    expect(error.retryAfterMs).toBe(1500);
    expect(error.message).toBe('slow down');
  });

  it('tells gateway errors from anything else', () => {
    expect(isGatewayError(new DisconnectedError('down'))).toBe(true);
    expect(isGatewayError(new Error('plain'))).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(false);
    expect(isRetryable('text')).toBe(false);
  });
});

describe('mapVenueError', () => {
  const table: ErrorMapping = {
    '-2010': (message, details) => new InsufficientFundsError(message, details),
    '429': (message, details) => new RateLimitError(message, { ...details, retryAfterMs: 1000 }),
  };

  it('builds the mapped class with the code and payload', () => {
    const raw = { code: -2010, msg: 'Account has insufficient balance' };
    const error = mapVenueError(table, -2010, raw.msg, raw);
    expect(error).toBeInstanceOf(InsufficientFundsError);
    expect(error.message).toBe('Account has insufficient balance');
    expect(error.venueCode).toBe('-2010');
    expect(error.raw).toBe(raw);
  });

  it('passes extra options through a table entry', () => {
    const error = mapVenueError(table, '429', 'too many requests');
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(1000);
    expect(error.retryable).toBe(true);
  });

  it('falls back to a non-retryable VenueError naming the unknown code', () => {
    const error = mapVenueError(table, 'E77', 'strange refusal');
    expect(error.constructor).toBe(VenueError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('venue error E77: strange refusal');
    expect(error.venueCode).toBe('E77');
  });

  it('does not treat Object.prototype members as table entries', () => {
    expect(mapVenueError(table, 'constructor', 'odd').constructor).toBe(VenueError);
    expect(mapVenueError(table, 'toString', 'odd').constructor).toBe(VenueError);
  });
});
