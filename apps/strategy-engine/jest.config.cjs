module.exports = require('../../jest.preset.cjs')('strategy-engine', { testTimeout: 90_000 });
