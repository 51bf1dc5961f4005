// The e2e specs run a fake TWS and the real client over TCP: give them room on a loaded machine.
module.exports = require('../../../jest.preset.cjs')('adapter-ib', { testTimeout: 30_000 });
