import { missingRanges } from './stores';

describe('missingRanges', () => {
  const range = { from: 0n, to: 100n };

  it('returns the whole range when nothing is covered', () => {
    expect(missingRanges(range, [])).toEqual([{ from: 0n, to: 100n }]);
  });

  it('returns the gaps around and between covered pieces, whatever their order', () => {
    expect(
      missingRanges(range, [
        { from: 60n, to: 70n },
        { from: 20n, to: 50n },
      ]),
    ).toEqual([
      { from: 0n, to: 20n },
      { from: 50n, to: 60n },
      { from: 70n, to: 100n },
    ]);
  });

  it('merges overlapping pieces and ignores pieces outside the range or empty', () => {
    expect(
      missingRanges(range, [
        { from: -50n, to: 10n },
        { from: 5n, to: 30n },
        { from: 25n, to: 40n },
        { from: 45n, to: 45n },
        { from: 150n, to: 200n },
      ]),
    ).toEqual([{ from: 40n, to: 100n }]);
  });

  it('returns nothing when the range is fully covered', () => {
    expect(missingRanges(range, [{ from: 0n, to: 60n }, { from: 60n, to: 120n }])).toEqual([]);
  });
});
