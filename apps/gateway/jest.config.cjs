module.exports = require('../../jest.preset.cjs')('gateway', { testTimeout: 60_000 });
