import { Decimal } from '@ttquant/domain';
import { humanDuration, jsonText, renderTable } from './output';

describe('renderTable', () => {
  it('pads columns to the widest cell and right-aligns numbers', () => {
    const rows = [
      { id: 'a', qty: '5' },
      { id: 'longer', qty: '1000' },
    ];
    const text = renderTable(
      [
        { heading: 'ID', cell: (r: (typeof rows)[number]) => r.id },
        { heading: 'QTY', cell: (r: (typeof rows)[number]) => r.qty, right: true },
      ],
      rows,
    );
    expect(text).toBe(['ID       QTY', 'a          5', 'longer  1000', ''].join('\n'));
  });
});

describe('jsonText', () => {
  it('writes decimals and nanosecond times as strings, never as lossy numbers', () => {
    const value = { price: Decimal.parse('101.10'), time: 1_700_000_000_123_456_789n };
    expect(JSON.parse(jsonText(value))).toEqual({ price: '101.10', time: '1700000000123456789' });
  });
});

describe('humanDuration', () => {
  it.each([
    [850, '850ms'],
    [12_340, '12.3s'],
    [245_000, '4m05s'],
    [7_380_000, '2h03m'],
  ])('%d ms reads %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
