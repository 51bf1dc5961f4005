import { freeTcpPort } from '@ttquant/bus';
import type { Logger } from '@ttquant/logging';
import { EXIT_CODES, StartupError } from '@ttquant/service';
import { openDatabase } from './open-database';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

describe('openDatabase', () => {
  it('fails start-up with "dependency unavailable", naming the database, when nothing answers', async () => {
    const port = await freeTcpPort();
    const attempt = openDatabase(
      { databaseUrl: `postgres://nobody@127.0.0.1:${port}/nothing`, embeddedDataDir: '.data/postgres', embeddedPort: 0, timescale: 'off' },
      {},
      { applicationName: 'persistence-spec', logger: quiet },
    );
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toMatchObject({ exitCode: EXIT_CODES.unavailable });
    await expect(attempt).rejects.toThrow(/^cannot connect to the database at DATABASE_URL: /);
  });
});
