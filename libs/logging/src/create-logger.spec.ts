import { child, createLogger, wantsPrettyOutput, type DestinationStream } from './create-logger';

/** A destination that keeps every line written, parsed. */
function memory(): DestinationStream & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
}

const base = { service: 'gateway', instance: 'host-1' };

describe('createLogger', () => {
  it('writes one JSON object per line with service, instance, ISO time and the level as a word', () => {
    const out = memory();
    createLogger(base, out).info({ orders: 3 }, 'started');
    expect(out.lines).toHaveLength(1);
    const line = out.lines[0] ?? {};
    expect(line).toMatchObject({ level: 'info', service: 'gateway', instance: 'host-1', orders: 3, msg: 'started' });
    expect(line['time']).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
  });

  it('drops lines below the configured level', () => {
    const out = memory();
    const logger = createLogger({ ...base, level: 'warn' }, out);
    logger.info('not shown');
    logger.debug('not shown');
    logger.warn('shown');
    logger.error('shown too');
    expect(out.lines.map((l) => l['level'])).toEqual(['warn', 'error']);
  });

  it('logs nothing at level silent', () => {
    const out = memory();
    createLogger({ ...base, level: 'silent' }, out).fatal('nothing');
    expect(out.lines).toEqual([]);
  });

  it('censors secrets at the top level and one level down', () => {
    const out = memory();
    createLogger(base, out).info(
      { apiKey: 'AK123', credentials: { secret: 'S3cr3t', password: 'pw', apiKey: 'AK456' }, token: 't', venue: 'binance' },
      'connecting',
    );
    const line = out.lines[0] ?? {};
    expect(line).toMatchObject({
      apiKey: '****',
      credentials: { secret: '****', password: '****', apiKey: '****' },
      token: '****',
      venue: 'binance',
    });
    expect(JSON.stringify(line)).not.toMatch(/AK123|AK456|S3cr3t|"pw"/);
  });

  it('leaves account ids alone unless asked to redact them', () => {
    const plain = memory();
    createLogger(base, plain).info({ account: 'DU123' }, 'x');
    expect(plain.lines[0]).toMatchObject({ account: 'DU123' });

    const redacted = memory();
    createLogger({ ...base, redactKeys: ['account', 'req.headers["x-api-key"]'] }, redacted).info(
      { account: 'DU123', order: { account: 'DU123' }, req: { headers: { 'x-api-key': 'k' } } },
      'x',
    );
    expect(redacted.lines[0]).toMatchObject({
      account: '****',
      order: { account: '****' },
      req: { headers: { 'x-api-key': '****' } },
    });
  });
});

describe('child', () => {
  it('tags every line with the component and keeps the service fields and redaction', () => {
    const out = memory();
    const log = child(createLogger(base, out), 'risk');
    log.warn({ reason: 'max notional', password: 'pw' }, 'order denied');
    expect(out.lines[0]).toMatchObject({
      service: 'gateway',
      instance: 'host-1',
      component: 'risk',
      level: 'warn',
      reason: 'max notional',
      password: '****',
      msg: 'order denied',
    });
  });
});

describe('wantsPrettyOutput', () => {
  it('follows an explicit choice', () => {
    expect(wantsPrettyOutput(true, { isTTY: false, env: { CI: 'true' } })).toBe(true);
    expect(wantsPrettyOutput(false, { isTTY: true, env: {} })).toBe(false);
  });

  it('is pretty on a terminal outside CI, JSON otherwise', () => {
    expect(wantsPrettyOutput(undefined, { isTTY: true, env: {} })).toBe(true);
    expect(wantsPrettyOutput(undefined, { isTTY: true, env: { CI: 'false' } })).toBe(true);
    expect(wantsPrettyOutput(undefined, { isTTY: true, env: { CI: 'true' } })).toBe(false);
    expect(wantsPrettyOutput(undefined, { isTTY: false, env: {} })).toBe(false);
  });
});
