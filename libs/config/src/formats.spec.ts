import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

/** Loads a one-key schema `x.value` with the given format, the text coming from the environment. */
function loadValue(format: unknown, text: string, fallback: unknown = null): unknown {
  const schema = { x: { value: { doc: 'under test', format, default: fallback, nullable: true } } };
  return loadConfig(schema, { service: 'test', env: { TTQ_X_VALUE: text }, argv: [], configDir: '/nonexistent' }).get(
    'x.value',
  );
}

function problemFor(format: unknown, text: string): string {
  try {
    loadValue(format, text);
  } catch (err) {
    if (err instanceof ConfigError && err.problems.length === 1) return err.problems[0] ?? '';
    throw err;
  }
  throw new Error(`format ${String(format)} accepted ${JSON.stringify(text)}`);
}

describe('strict formats', () => {
  it.each([
    ['nat', '0', 0],
    ['nat', '100000', 100_000],
    ['int', '-42', -42],
    ['int', '+7', 7],
    ['port', '65535', 65_535],
    ['port', '0', 0],
    ['number', '-1.5e3', -1500],
    ['number', '.25', 0.25],
    ['boolean', 'TRUE', true],
    ['boolean', '0', false],
    ['positive-decimal', '0.0001', '0.0001'],
    ['positive-decimal', '125000.50', '125000.50'],
    ['duration', '250ms', 250],
    ['duration', '5s', 5_000],
    ['duration', '1.5s', 1_500],
    ['duration', '2m', 120_000],
    ['duration', '1h', 3_600_000],
    ['duration', '1500', 1_500],
    ['zmq-endpoint', 'tcp://127.0.0.1:5555', 'tcp://127.0.0.1:5555'],
    ['zmq-endpoint', 'tcp://*:5556', 'tcp://*:5556'],
    ['zmq-endpoint', 'tcp://hub.internal:5556', 'tcp://hub.internal:5556'],
    ['zmq-endpoint', 'tcp://[::1]:5556', 'tcp://[::1]:5556'],
    ['zmq-endpoint', 'ipc:///tmp/ttq-hub.sock', 'ipc:///tmp/ttq-hub.sock'],
    ['zmq-endpoint', 'inproc://bus', 'inproc://bus'],
    ['url', 'postgres://ttq@db:5432/ttquant', 'postgres://ttq@db:5432/ttquant'],
    ['url', 'https://api.binance.com', 'https://api.binance.com'],
    ['nonempty-string', 'x', 'x'],
  ])('%s reads %j as %j', (format, text, expected) => {
    expect(loadValue(format, text)).toEqual(expected);
  });

  it.each([
    ['nat', 'abc', 'expected a natural number, was "abc"'],
    ['nat', '12abc', 'expected a natural number, was "12abc"'],
    ['nat', '-1', 'expected a natural number, was "-1"'],
    ['nat', '1.5', 'expected a natural number, was "1.5"'],
    ['nat', '', 'expected a natural number, was ""'],
    ['int', '3.0x', 'expected an integer, was "3.0x"'],
    ['int', '99999999999999999999', 'expected an integer, was 100000000000000000000'],
    ['port', '65536', 'expected a port number from 0 to 65535, was 65536'],
    ['port', 'http', 'expected a port number from 0 to 65535, was "http"'],
    ['number', 'abc', 'expected a finite number, was "abc"'],
    ['number', 'NaN', 'expected a finite number, was "NaN"'],
    ['number', '1e999', 'expected a finite number, was Infinity'],
    ['boolean', 'flase', 'expected true or false, was "flase"'],
    ['positive-decimal', '0', 'expected a positive decimal written as a string, such as "0.01", was "0"'],
    ['positive-decimal', '-1', 'expected a positive decimal written as a string, such as "0.01", was "-1"'],
    ['positive-decimal', '1e-3', 'expected a positive decimal written as a string, such as "0.01", was "1e-3"'],
    ['positive-decimal', '1.', 'expected a positive decimal written as a string, such as "0.01", was "1."'],
    ['duration', '5 sec', 'expected a duration such as "250ms", "5s", "2m" or "1h" (a bare integer means milliseconds), was "5 sec"'],
    ['duration', '-5s', 'expected a duration such as "250ms", "5s", "2m" or "1h" (a bare integer means milliseconds), was "-5s"'],
    ['duration', '0.5ms', 'expected a duration such as "250ms", "5s", "2m" or "1h" (a bare integer means milliseconds), was "0.5ms"'],
    ['zmq-endpoint', 'localhost:5555', 'expected a ZeroMQ endpoint such as "tcp://host:port", "ipc:///path" or "inproc://name", was "localhost:5555"'],
    ['zmq-endpoint', 'tcp://host', 'expected a ZeroMQ endpoint such as "tcp://host:port", "ipc:///path" or "inproc://name", was "tcp://host"'],
    ['zmq-endpoint', 'tcp://host:70000', 'expected a ZeroMQ endpoint such as "tcp://host:port", "ipc:///path" or "inproc://name", was "tcp://host:70000"'],
    ['zmq-endpoint', 'udp://host:1', 'expected a ZeroMQ endpoint such as "tcp://host:port", "ipc:///path" or "inproc://name", was "udp://host:1"'],
    ['url', 'localhost:8080', 'expected an absolute URL such as "http://host:port/path", was "localhost:8080"'],
    ['url', 'http://exa mple.com', 'expected an absolute URL such as "http://host:port/path", was "http://exa mple.com"'],
    ['nonempty-string', '  ', 'expected a non-empty string, was "  "'],
  ])('%s rejects %j', (format, text, message) => {
    expect(problemFor(format, text)).toBe(`x.value: ${message} (from TTQ_X_VALUE)`);
  });

  it('makes Number and Boolean strict instead of reading "abc" as NaN and "no" as true', () => {
    expect(problemFor(Number, 'abc')).toBe('x.value: expected a finite number, was "abc" (from TTQ_X_VALUE)');
    expect(problemFor(Boolean, 'no')).toBe('x.value: expected true or false, was "no" (from TTQ_X_VALUE)');
    expect(loadValue(Number, '2.5')).toBe(2.5);
  });

  it('infers a strict format from the default when none is given', () => {
    const schema = { x: { value: { doc: 'count', default: 3 } } };
    const load = () => loadConfig(schema, { service: 'test', env: { TTQ_X_VALUE: 'abc' }, argv: [], configDir: '/nonexistent' });
    expect(load).toThrow('x.value: expected a finite number, was "abc"');
  });

  it('checks enumerations and custom format functions', () => {
    expect(problemFor(['a', 'b'], 'c')).toBe('x.value: expected one of "a", "b", was "c" (from TTQ_X_VALUE)');
    const even = (v: unknown) => {
      if (Number(v) % 2 !== 0) throw new Error('expected an even number');
    };
    expect(problemFor(even, '3')).toBe('x.value: expected an even number, was "3" (from TTQ_X_VALUE)');
  });

  it('keeps a positive decimal as the exact text, so no binary float is involved', () => {
    expect(loadValue('positive-decimal', '0.10')).toBe('0.10');
  });
});
