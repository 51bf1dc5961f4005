import { ConfigError } from './config-error';
import { requireSecret, secretFromEnv } from './secrets';

describe('secrets', () => {
  it('reads a secret from the environment', () => {
    expect(secretFromEnv({ IB_ACCOUNT: 'DU123' }, 'IB_ACCOUNT')).toBe('DU123');
    expect(requireSecret({ IB_ACCOUNT: 'DU123' }, 'IB_ACCOUNT', 'the IB account id')).toBe('DU123');
  });

  it('treats an empty variable as unset', () => {
    expect(secretFromEnv({ IB_ACCOUNT: '' }, 'IB_ACCOUNT')).toBeUndefined();
    expect(secretFromEnv({}, 'IB_ACCOUNT')).toBeUndefined();
  });

  it('fails with a ConfigError naming the variable and its purpose', () => {
    const read = () => requireSecret({ IB_ACCOUNT: '' }, 'IB_ACCOUNT', 'the IB account id');
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/^missing secret: set IB_ACCOUNT \(the IB account id\)$/);
  });
});
