import { asJson, flipAt, leafPaths, partAt, placeOf } from '../../test/support/package-flips';
import { key, proofPackage } from './package.fixtures';
import { verifyPackage } from './package-verify';

/**
 * Every value of a proof package is bound: one byte changed anywhere in it (each string, number and
 * boolean in turn) fails the package, and the problem names the part the change is in. The public
 * package is bound by its issuance record; the ops lead's receipts by their events. Its work order
 * and delivery page are recomputed from those events, and either package's delivery HTML rendered
 * from its JSON, by checks outside this library (test/proof-package-binding.e2e-spec.ts changes
 * them).
 */
describe('a proof package with one value changed', () => {
  it.each([
    ['public', false, ['delivery.html']],
    ['ops-lead', true, ['workOrder', 'delivery.json', 'delivery.html']],
  ] as const)('fails the %s package at every value, naming its part', (_label, withEvents, elsewhere) => {
    const pkg = asJson(proofPackage(withEvents));
    expect(verifyPackage(pkg, key).problems).toEqual([]);
    const paths = leafPaths(pkg).filter((path) => !elsewhere.some((part) => part === partAt(pkg, path)));
    expect(paths.length).toBeGreaterThan(50);
    const unnamed = paths
      .map((path) => ({
        path: path.join('.'),
        part: partAt(pkg, path),
        problems: verifyPackage(flipAt(pkg, path), key).problems,
      }))
      .filter(({ part, problems }) => !problems.map(placeOf).includes(part));
    expect(unnamed).toEqual([]);
  });
});
