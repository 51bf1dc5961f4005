import { parseToml } from '@ttquant/config';
import { createStrategy, type StrategyDefinition } from '@ttquant/strategy';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunFolder, newRunId, RUN_FOLDERS_KEPT, RUNS_DIR, strategyEngineToml } from './sim-run-folder';

const strategy = { symbol: 'ACME', fastPeriod: 5, slowPeriod: 20, quantity: '10' };

describe('newRunId', () => {
  it('starts with the UTC time, so ids sort by age', () => {
    expect(newRunId(new Date('2025-03-01T12:34:56.789Z'), 'ab12')).toBe('20250301-123456-ab12');
    expect(newRunId(new Date('2025-03-01T12:34:57Z'), '0000') > newRunId(new Date('2025-03-01T12:34:56Z'), 'ffff')).toBe(true);
  });
});

describe('strategyEngineToml', () => {
  it('describes an EMA cross the strategy factory accepts', () => {
    const table = parseToml(strategyEngineToml('r1', strategy), 'strategy-engine.toml') as { strategyEngine: { strategies: StrategyDefinition[] } };
    const [definition] = table.strategyEngine.strategies;
    expect(definition).toMatchObject({ type: 'ema-cross', params: { symbol: 'ACME', fastPeriod: 5, slowPeriod: 20, quantity: '10' } });
    expect(createStrategy(definition as StrategyDefinition).id).toBe('ema1');
  });
});

describe('createRunFolder', () => {
  let cwd: string;
  beforeEach(() => (cwd = mkdtempSync(join(tmpdir(), 'ttq-runs-'))));
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it("writes the run's strategy config and keeps only the newest run folders", () => {
    const old = Array.from({ length: RUN_FOLDERS_KEPT + 2 }, (_, i) => `20240101-0000${String(i).padStart(2, '0')}-aaaa`);
    for (const name of old) mkdirSync(join(cwd, RUNS_DIR, name), { recursive: true });
    mkdirSync(join(cwd, RUNS_DIR, 'notes'));

    const dir = createRunFolder(cwd, '20250301-120000-ab12', strategy);

    expect(readFileSync(join(dir, 'config', 'strategy-engine.toml'), 'utf8')).toContain('fastPeriod = 5');
    const remaining = old.filter((name) => existsSync(join(cwd, RUNS_DIR, name)));
    expect(remaining).toEqual(old.slice(-(RUN_FOLDERS_KEPT - 1)));
    expect(existsSync(join(cwd, RUNS_DIR, 'notes'))).toBe(true);
  });
});
