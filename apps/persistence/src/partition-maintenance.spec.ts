import type { Pool } from 'pg';
import { PartitionMaintenance } from './partition-maintenance';

describe('PartitionMaintenance', () => {
  it('logs a failed run instead of throwing, and stops cleanly', async () => {
    const errors: unknown[] = [];
    const pool = { connect: () => Promise.reject(new Error('connection refused')) } as unknown as Pool;
    const maintenance = new PartitionMaintenance(pool, {}, { info: () => undefined, error: (fields: unknown) => void errors.push(fields) });
    maintenance.start(60_000);
    await maintenance.runOnce();
    await maintenance.stop();
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as { err: Error }).err)).toContain('connection refused');
  });
});
