// Lint rules for every project. The module-boundary matrix is the one of
// ../shared/CONVENTIONS.md: who may import whom is enforced here, not hoped for.
import nx from '@nx/eslint-plugin';

const boundaries = [
  // The domain imports nothing: no I/O, no framework, no other project.
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: [], bannedExternalImports: ['*'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: ['type:domain'] },
  { sourceTag: 'type:gateway-api', onlyDependOnLibsWithTags: ['type:domain', 'type:util'] },
  // The bus layer (sockets, journal, service glue) builds on itself.
  { sourceTag: 'type:bus', onlyDependOnLibsWithTags: ['type:bus', 'type:protocol', 'type:domain', 'type:util'] },
  { sourceTag: 'type:storage', onlyDependOnLibsWithTags: ['type:protocol', 'type:domain', 'type:util'] },
  // Engines may use each other: the backtest drives strategies, the execution engine calls risk.
  {
    sourceTag: 'type:engine',
    onlyDependOnLibsWithTags: ['type:engine', 'type:gateway-api', 'type:domain', 'type:protocol', 'type:util'],
  },
  {
    sourceTag: 'type:adapter',
    onlyDependOnLibsWithTags: ['type:gateway-api', 'type:domain', 'type:util'],
    // An adapter never talks to the bus or the database itself: the app wires those in.
    bannedExternalImports: ['zeromq', 'pg', 'pg-copy-streams'],
  },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['*'], notDependOnLibsWithTags: ['type:app'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['*'], notDependOnLibsWithTags: ['type:app'] },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/generated/**', 'tmp/**', '.nx/**', '**/coverage/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: boundaries },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Specs and e2e tests may also drive a real adapter (the sim venue) and the test fakes.
    files: ['**/*.spec.ts', '**/e2e/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: boundaries.map((rule) =>
            rule.sourceTag === 'type:domain'
              ? rule
              : { ...rule, onlyDependOnLibsWithTags: [...rule.onlyDependOnLibsWithTags, 'type:adapter', 'type:testing'] },
          ),
        },
      ],
    },
  },
  {
    // Fakes and conformance suites are for specs and e2e tests only.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/e2e/**', '**/testing/**', 'libs/testing/**', 'scripts/**', '**/bench/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@ttquant/testing', '@ttquant/testing/*'], message: 'test fakes are for specs and e2e tests only' },
            { group: ['@ttquant/gateway-api/testing'], message: 'the conformance suite is for specs only' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.mjs', '**/*.js'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
