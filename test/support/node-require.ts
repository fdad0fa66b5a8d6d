/**
 * A module loaded by Node's own `require` rather than jest's module registry (the global
 * `nodeRequire` of test/support/node-require-environment.js): it is loaded once per jest worker and
 * kept for the worker's next files, where through jest each file would load it again.
 */
export function nodeModule<T>(id: string): T {
  const nodeRequire: unknown = Reflect.get(globalThis, 'nodeRequire');
  if (typeof nodeRequire !== 'function')
    throw new Error("no nodeRequire: run this under jest's integration, e2e or faults project (jest.config.js)");
  return nodeRequire(id);
}
