// Checks of the deployment files (Dockerfile, entrypoint, compose, config/*.toml).
module.exports = require('../jest.preset.cjs')('deploy', { testMatch: ['<rootDir>/test/**/*.spec.ts'] });
