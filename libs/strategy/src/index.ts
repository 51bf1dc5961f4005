export * from './strategy';
export * from './indicators/ema';
export * from './examples/ema-cross';
export * from './examples/latency-probe';
export * from './runner/strategy-runner';
export * from './registry/strategy-factory';
