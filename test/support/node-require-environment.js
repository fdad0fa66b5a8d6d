// The jest environment of the tiers with real services (integration, e2e, faults): Node's, with
// Node's own `require` given to the test files as the global `nodeRequire`. jest loads this file
// with Node's require, so that is the one it hands over; test/support/workgate.ts loads the built
// services (dist/) with it, once per jest worker rather than once per file.
const { TestEnvironment } = require('jest-environment-node');

class NodeRequireEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.nodeRequire = require;
    // The file may hand its own process.env to the services it starts (test/support/workgate.ts):
    // the next file of this jest worker starts from the variables as they were.
    this.envBefore = { ...process.env };
  }

  async teardown() {
    for (const key of Object.keys(process.env)) if (!(key in this.envBefore)) delete process.env[key];
    Object.assign(process.env, this.envBefore);
    await super.teardown();
  }
}

module.exports = NodeRequireEnvironment;
