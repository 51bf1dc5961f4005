module.exports = require('../../jest.preset.cjs')('market-data', { testTimeout: 30_000 });
