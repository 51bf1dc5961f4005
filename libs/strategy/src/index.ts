export * from './strategy';
export * from './indicators/ema';
export * from './examples/ema-cross';
export * from './runner/strategy-runner';
