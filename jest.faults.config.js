/**
 * `npm run test:faults`: the property specs (`*.property.spec.ts`, at 10,000 cases each) and every
 * test in test/faults/: kills, restarts and outages (`*.faults-spec.ts`), the 3-node NATS cluster
 * (`*.cluster-spec.ts`), the fleet (`*.fleet-spec.ts`, `npm run test:fleet`), abuse, fuzzing and floods (`*.e2e-spec.ts`). `npm test` runs none of them;
 * CI runs both. It also runs the volume specs (VOLUME_SPECS) at full size: `npm test` runs them
 * smaller (test/support/volume.ts). One file at a time: kills and outages must not share the two cores with other tests.
 */
// The integration project's settings (real Postgres and NATS), with the fault tests' own files.
const {
  displayName: _name,
  testRegex: _regex,
  ...withRealServices
} = require('./jest.config').projects.find((p) => p.displayName === 'integration');
/** Specs `npm test` runs at a smaller volume; here at full size (WORKGATE_TEST_VOLUME=full). */
const VOLUME_SPECS = ['views-rebuild', 'edge-early-refusals', 'contract/integrator-publishing', 'intake-scale-out'];
module.exports = {
  ...withRealServices,
  roots: ['<rootDir>/test', '<rootDir>/libs'],
  testRegex: [
    'test/faults/.*\\.(faults-spec|cluster-spec|fleet-spec|e2e-spec)\\.ts$',
    '\\.property\\.spec\\.ts$',
    ...VOLUME_SPECS.map((name) => `test/${name}\\.e2e-spec\\.ts$`),
  ],
  setupFiles: ['<rootDir>/test/faults/property-runs.ts'],
  testTimeout: 300000,
  maxWorkers: 1,
};
