module.exports = require('../../../jest.preset.cjs')('adapter-ib');
