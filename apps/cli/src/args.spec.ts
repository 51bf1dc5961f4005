import { UsageError } from './cli-errors';
import { choiceFlag, decimalFlag, durationFlag, helpText, parseCommandArgs, parseDuration, requiredFlag } from './args';

describe('parseDuration', () => {
  it.each([
    ['10s', 10_000],
    ['250ms', 250],
    ['2m', 120_000],
    ['2', 2_000],
    ['0.5', 500],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text, 'wait')).toBe(ms);
  });

  it.each(['', 'abc', '-1', '0', '10h', '1e3'])('refuses %j, naming the flag', (text) => {
    expect(() => parseDuration(text, 'wait')).toThrow(UsageError);
    expect(() => parseDuration(text, 'wait')).toThrow(/^--wait: expected a duration > 0/);
  });
});

describe('parseCommandArgs', () => {
  const flags = { qty: { type: 'string', help: 'quantity' }, account: { type: 'string', help: 'account' } } as const;

  it('splits flags and positionals, with --json and --help always known', () => {
    const args = parseCommandArgs('order cancel', ['abc1', '--account', 'SIM001', '--json'], flags, 1);
    expect(args.positionals).toEqual(['abc1']);
    expect(args.flags).toMatchObject({ account: 'SIM001', json: true });
  });

  it('refuses unknown flags with the command and a pointer to its help', () => {
    expect(() => parseCommandArgs('orders', ['--acount', 'x'], flags)).toThrow(
      expect.objectContaining({ name: 'UsageError', exitCode: 2, message: expect.stringMatching(/^orders: Unknown option '--acount'.*ttq orders --help/) }),
    );
  });

  it('refuses a string flag without its value', () => {
    expect(() => parseCommandArgs('orders', ['--account'], flags)).toThrow(/orders: Option '--account <value>' argument missing/);
  });

  it('refuses surplus positionals, naming them', () => {
    expect(() => parseCommandArgs('orders', ['extra'], flags)).toThrow('orders: expected at most 0 argument(s), was also given "extra"');
  });
});

describe('flag readers', () => {
  const args = (flags: Record<string, string | boolean>) => ({ flags, positionals: [] });

  it('reads decimals exactly and refuses anything else', () => {
    expect(decimalFlag(args({ qty: '0.1' }), 'qty')?.toString()).toBe('0.1');
    expect(decimalFlag(args({}), 'qty')).toBeUndefined();
    expect(() => decimalFlag(args({ qty: '1,5' }), 'qty')).toThrow('--qty: expected a decimal number such as 10 or 0.25, was "1,5"');
  });

  it('maps choices case-insensitively and lists them when wrong', () => {
    const sides = { buy: 'BUY', sell: 'SELL' } as const;
    expect(choiceFlag(args({ side: 'Buy' }), 'side', sides)).toBe('BUY');
    expect(() => choiceFlag(args({ side: 'long' }), 'side', sides)).toThrow('--side: expected one of buy, sell, was "long"');
  });

  it('says how to give a required flag', () => {
    expect(() => requiredFlag(args({}), 'account', 'SIM001')).toThrow('--account is required, e.g. --account SIM001');
    expect(() => requiredFlag(args({ account: '  ' }), 'account', 'SIM001')).toThrow('--account: expected a value, was empty');
  });

  it('falls back to the default duration only when the flag is absent', () => {
    expect(durationFlag(args({}), 'wait', 10_000)).toBe(10_000);
    expect(durationFlag(args({ wait: '3s' }), 'wait', 10_000)).toBe(3_000);
  });
});

describe('helpText', () => {
  it('lists every flag with its placeholder, and the common ones', () => {
    const text = helpText('ttq orders [--account <account>]', 'list orders', { account: { type: 'string', value: '<account>', help: 'only this account' } });
    expect(text).toContain('usage: ttq orders [--account <account>]');
    expect(text).toMatch(/--account <account>\s+only this account/);
    expect(text).toMatch(/--json\s+print JSON/);
    expect(text).toMatch(/-h, --help\s+show this help/);
  });

  it('puts the details, when there are any, below the summary', () => {
    expect(helpText('ttq orders', 'list orders', {})).toContain('\n\nlist orders\n\noptions:\n');
    expect(helpText('ttq orders', 'list orders', {}, 'Exit 0 always.')).toContain('\n\nlist orders\n\nExit 0 always.\n\noptions:\n');
  });
});
