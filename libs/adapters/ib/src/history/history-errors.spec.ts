import { DisconnectedError, RateLimitError, RequestTimeoutError, UnknownInstrumentError, VenueError } from '@ttquant/gateway-api';
import { classifyHistoryError, describeHistoryError } from './history-errors';

describe('classifyHistoryError', () => {
  it.each([
    ['a pacing violation (162)', new RateLimitError('Historical data request pacing violation', { venueCode: '162' }), 'pacing'],
    ['162 "query returned no data"', new RateLimitError('HMDS query returned no data: AAPL@SMART Trades', { venueCode: '162' }), 'no-data'],
    ['200 unknown contract', new UnknownInstrumentError('No security definition has been found', { venueCode: '200' }), 'unknown-symbol'],
    ['200 as a plain venue error', new VenueError('No security definition has been found', { venueCode: '200' }), 'unknown-symbol'],
    ['a dropped connection', new DisconnectedError('connection to TWS lost'), 'network'],
    ['a timeout', new RequestTimeoutError('no answer within 60 s'), 'network'],
    ['a socket error from below', new Error('read ECONNRESET'), 'network'],
    ['anything else IB refuses', new VenueError('Invalid step', { venueCode: '321' }), 'rejected'],
  ])('%s', (_label, error, kind) => {
    expect(classifyHistoryError(error)).toBe(kind);
  });

  it('describes an error with its name, IB code and message', () => {
    expect(describeHistoryError(new VenueError('Invalid step', { venueCode: '321' }))).toBe('VenueError 321: Invalid step');
    expect(describeHistoryError('boom')).toBe('boom');
  });
});
