/**
 * `npm run test:faults`: the property specs (`*.property.spec.ts`, at 10,000 cases each) and the
 * fault and abuse tests in test/faults/ — the slow ones
 * (`*.faults-spec.ts`: kills, restarts, outages; `*.cluster-spec.ts`: the 3-node NATS cluster) only
 * here, the fast ones (`*.e2e-spec.ts`) also in `npm test`. One file at a time: kills and outages must not share the two cores with other tests.
 */
// The integration project's settings (real Postgres and NATS), with the fault tests' own files.
const {
  displayName: _name,
  testRegex: _regex,
  ...withRealServices
} = require('./jest.config').projects.find((p) => p.displayName === 'integration');
module.exports = {
  ...withRealServices,
  roots: ['<rootDir>/test/faults', '<rootDir>/libs'],
  testRegex: ['test/faults/.*\\.(faults-spec|cluster-spec|e2e-spec)\\.ts$', '\\.property\\.spec\\.ts$'],
  setupFiles: ['<rootDir>/test/faults/property-runs.ts'],
  testTimeout: 300000,
  maxWorkers: 1,
};
