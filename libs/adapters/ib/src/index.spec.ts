import { IB_ADAPTER_KIND } from './index';

describe('adapter-ib', () => {
  it('registers under the kind configs use', () => {
    expect(IB_ADAPTER_KIND).toBe('ib');
  });
});
