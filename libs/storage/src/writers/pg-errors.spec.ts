import { classifyFailure } from './pg-errors';

function pgError(code: string, message = 'refused'): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyFailure', () => {
  it('tells an unreachable database from one that refused the rows', () => {
    expect(classifyFailure(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBe('connection');
    expect(classifyFailure(pgError('ECONNRESET', 'read ECONNRESET'))).toBe('connection');
    expect(classifyFailure(new Error('Connection terminated unexpectedly'))).toBe('connection');
    expect(classifyFailure(new Error('timeout exceeded when trying to connect'))).toBe('connection');
    expect(classifyFailure(pgError('57P01', 'terminating connection due to administrator command'))).toBe('connection');
    expect(classifyFailure(pgError('08006'))).toBe('connection');
    expect(classifyFailure(pgError('23505'))).toBe('duplicate');
    expect(classifyFailure(pgError('22021', 'invalid byte sequence'))).toBe('row');
    expect(classifyFailure(pgError('40P01', 'deadlock detected'))).toBe('transient');
  });

  it('does not wait forever on an error that is not the database being away', () => {
    // A bug on our side would otherwise be retried without limit, holding the bus back for good.
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'length')"))).toBe('transient');
    expect(classifyFailure('something odd')).toBe('transient');
  });
});
