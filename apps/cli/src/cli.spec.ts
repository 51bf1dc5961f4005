import { runCli, COMMANDS } from './cli';
import type { CliIo } from './output';

function fakeIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    errIsTty: false,
    out: (text: string) => void (io.stdout += text),
    err: (text: string) => void (io.stderr += text),
  };
  return io;
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = fakeIo();
  const code = await runCli(argv, { io, env, cwd: process.cwd(), signal: new AbortController().signal });
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('runCli', () => {
  it('prints the command list for --help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(command.name);
  });

  it('exits 2 with the command list when no command is given', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ttq: expected a command/);
    expect(result.stderr).toContain('order submit');
  });

  it('exits 2 for an unknown command, listing the known ones', async () => {
    const result = await run(['ordrs']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ttq: unknown command "ordrs"; expected one of status, orders, positions');
  });

  it('exits 2 for a group without its sub-command', async () => {
    const result = await run(['order']);
    expect(result).toMatchObject({ code: 2, stderr: 'ttq: order: expected one of submit, cancel, was nothing\n' });
  });

  it('prints a command help without loading the configuration', async () => {
    const result = await run(['order', 'cancel', '--help'], { TTQ_BUS_XPUB_ENDPOINT: 'not an endpoint' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: ttq order cancel <clientOrderId> --account <account>');
  });

  it('answers --help for every command with its usage, its summary once, its details and flags, and runs nothing', async () => {
    for (const command of COMMANDS) {
      const result = await run([...command.name.split(' '), '--help'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
      expect({ command: command.name, code: result.code, stderr: result.stderr }).toEqual({ command: command.name, code: 0, stderr: '' });
      expect(result.stdout.startsWith(`usage: ${command.usage}\n\n${command.summary}\n`)).toBe(true);
      expect(result.stdout.split(command.summary)).toHaveLength(2);
      if (command.details !== undefined) expect(result.stdout).toContain(`${command.summary}\n\n${command.details}\n\noptions:`);
      for (const flag of Object.keys(command.flags)) expect(result.stdout).toContain(`--${flag}`);
    }
  });

  it('reports a usage error before touching the network', async () => {
    const result = await run(['order', 'submit', '--account', 'SIM001', '--symbol', 'ACME', '--side', 'hold', '--qty', '1']);
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: 'ttq: --side: expected one of buy, sell, was "hold"\n' });
  });

  it('exits 2 when the configuration is invalid, naming the variable', async () => {
    const result = await run(['orders'], { TTQ_CLI_GATEWAY_CONTROL: 'http://nope' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cli\.gatewayControl: .*TTQ_CLI_GATEWAY_CONTROL/);
  });

  it('exits 69 naming the endpoint when the gateway does not answer', async () => {
    const result = await run(['positions'], { TTQ_CLI_GATEWAY_CONTROL: 'tcp://127.0.0.1:1', TTQ_CLI_REQUEST_TIMEOUT: '200ms' });
    expect(result.code).toBe(69);
    expect(result.stderr).toBe(
      'ttq: gateway control endpoint tcp://127.0.0.1:1: no answer within 200 ms (is the gateway running? set cli.gatewayControl or TTQ_CLI_GATEWAY_CONTROL)\n',
    );
  });
});
