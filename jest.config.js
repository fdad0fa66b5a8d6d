/**
 * `npm test` runs three jest projects (`--selectProjects <name>` runs one):
 * - unit (`*.spec.ts`): domain, workflow, contracts and other pure code: no process, port, browser,
 *   database or network (test/support/unit-purity.ts fails a spec that opens one); no build;
 * - integration (`*.int-spec.ts`): one component against real Postgres and NATS, in this process;
 * - e2e (`*.e2e-spec.ts`): services, processes and the HTTP edge against real Postgres and NATS.
 * The faults tier (`npm run test:faults`, jest.faults.config.js) is test/faults/ and the property
 * specs at 10,000 cases: kills, restarts, outages, floods and fuzzing.
 */
const libs = ['contracts', 'domain', 'workflow', 'event-store', 'messaging', 'config'];

const common = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: Object.fromEntries(libs.map((l) => [`^@workgate/${l}$`, `<rootDir>/libs/${l}`])),
};

/**
 * Checks Postgres and NATS, builds dist/ if stale, migrates the template database (once per run);
 * the test files get Node's own `require` as `nodeRequire` (test/support/node-require-environment.js).
 */
const realServices = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testEnvironment: '<rootDir>/test/support/node-require-environment.js',
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testRegex: '\\.spec\\.ts$',
      setupFilesAfterEnv: ['<rootDir>/test/support/unit-purity.ts'],
    },
    { ...common, ...realServices, displayName: 'integration', testRegex: '\\.int-spec\\.ts$' },
    {
      ...common,
      ...realServices,
      displayName: 'e2e',
      testRegex: '\\.e2e-spec\\.ts$',
      // test/faults/ is the faults tier's (jest.faults.config.js), whatever its files are named.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/'],
    },
  ],
  testTimeout: 60000,
  // One more worker than this machine's 2 cores: e2e files spend part of their time waiting on
  // timers, processes and the network, and a third file fills that idle time.
  maxWorkers: 3,
};
