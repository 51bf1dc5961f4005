import type { ParkedRows } from '@ttquant/storage';
import { DropTracker } from './drop-tracker';
import { parkedRowsAlert } from './parked-alert';

describe('DropTracker', () => {
  it('counts by reason, and logs the first ones and then only every thousandth', () => {
    const logged: unknown[] = [];
    const tracker = new DropTracker({ warn: (fields: unknown) => void logged.push(fields) });
    for (let i = 0; i < 2_000; i++) tracker.record('undecodable', 'expected an envelope', 'md.tick.SIM.ACME');
    tracker.record('payload', 'quote.bidPrice: expected a decimal, was nothing', 'md.tick.SIM.ACME');
    expect(tracker.byReason()).toEqual({ undecodable: 2_000, payload: 1 });
    expect(tracker.total).toBe(2_001);
    // 10 first + the 1000th and 2000th of undecodable, + the first payload.
    expect(logged).toHaveLength(13);
  });
});

describe('parkedRowsAlert', () => {
  const parked: ParkedRows = {
    table: 'fills',
    rows: [{ exec_id: 'x1' }, { exec_id: 'x2' }],
    reason: 'value too long for type character varying(3)',
    sqlstate: '22001',
    attempts: 1,
    storedIn: 'table',
  };

  it('warns when the rows were kept aside, and is critical when they were kept nowhere', () => {
    const warning = parkedRowsAlert(parked, 'persistence/p1');
    expect(warning).toMatchObject({ severity: 'WARNING', source: 'persistence/p1', code: 'storage.rows-parked' });
    expect(warning.message).toBe('2 fills row(s) could not be stored and were kept in ttq_parked_rows: value too long for type character varying(3)');
    expect(warning.context).toMatchObject({ table: 'fills', rows: '2', sqlstate: '22001', storedIn: 'table' });
    expect(parkedRowsAlert({ ...parked, storedIn: 'nowhere', sqlstate: undefined }, 'p').severity).toBe('CRITICAL');
  });
});
