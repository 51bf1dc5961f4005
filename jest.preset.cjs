// Shared jest settings: swc for speed (types are checked by each project's
// `typecheck` target), path aliases taken from tsconfig.base.json, UTC clock.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

process.env.TZ = 'UTC';

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[/\\^$.*+?()[\]{}|-]/g, '\\$&')}$`] = path.join(__dirname, target);
}

/**
 * @param {string} displayName the nx project name
 * @param {Partial<import('jest').Config>} [overrides]
 * @returns {import('jest').Config}
 */
module.exports = function jestProject(displayName, overrides = {}) {
  return {
    displayName,
    testEnvironment: 'node',
    transform: {
      '^.+\\.[tj]s$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'commonjs' },
          sourceMaps: 'inline',
        },
      ],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper,
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/e2e/**/*.spec.ts'],
    // On two cores jest runs the specs in its own process, zeromq's native addon included. After
    // every result was reported, Node's exit clean-up can then spin forever on the addon's poll
    // handles (seen in about 1 run in 4 of the persistence specs under load; gdb: a loop in
    // node::Environment::CleanupHandles, no JavaScript running). Exiting explicitly once the
    // results are in skips that clean-up; leaked handles are still found with --detectOpenHandles.
    forceExit: true,
    ...overrides,
  };
};
