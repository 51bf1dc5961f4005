import { integerIn, numberIn } from './range-validators';

describe('integerIn', () => {
  const check = integerIn('port', 1, 65535);

  it('accepts integers at both ends of the range', () => {
    expect(() => check(1)).not.toThrow();
    expect(() => check(65535)).not.toThrow();
  });

  it('rejects a fraction, an out-of-range value and a string, naming the key and the value', () => {
    expect(() => check(1.5)).toThrow('expected port an integer in 1..65535, was 1.5');
    expect(() => check(0)).toThrow('expected port an integer in 1..65535, was 0');
    expect(() => check('80')).toThrow('expected port an integer in 1..65535, was "80"');
  });
});

describe('numberIn', () => {
  const check = numberIn('probability', 0, 1);

  it('accepts fractions inside the range', () => {
    expect(() => check(0.25)).not.toThrow();
  });

  it('rejects values outside the range and non-finite numbers', () => {
    expect(() => check(1.01)).toThrow('expected probability a number in 0..1, was 1.01');
    expect(() => check(Number.NaN)).toThrow('expected probability a number in 0..1, was NaN');
  });
});
