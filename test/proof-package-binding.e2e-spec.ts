import { randomUUID } from 'node:crypto';
import { verifyProofPackage } from '../cli/verify-package';
import {
  asJson,
  escaped,
  flipAt,
  flipsOf,
  HEX,
  type JsonPath,
  leafPaths,
  type PackageJson,
  partAt,
  partOf,
  placeOf,
  shapeOf,
} from './support/package-flips';
import { eventually } from './support/processes';
import { clientsFor, openNotedCase, writePrincipals } from './support/principals';
import { runVerifyReceipt } from './support/verify-cli';
import { verifyInProcess } from './support/verify-in-process';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import type { ProofPackage } from '@workgate/contracts';

/** What the verifier says of a package, in this process. */
const verdictOf = (pkg: object, key: string) => verifyProofPackage(asJson(pkg), key);

/** The problems of `npm run verify-receipt`'s output (its `NOT VERIFIED:` and `also:` lines). */
const problemLines = (out: string) =>
  out
    .split('\n')
    .filter((l) => /^(NOT VERIFIED| {2}also): /.test(l))
    .map((l) => l.replace(/^(NOT VERIFIED| {2}also): /, ''));

/**
 * Every part of a proof package is bound to the ledger: one character changed in any of them makes
 * `npm run verify-receipt` exit 1 naming that part with its message; the untouched packages exit 0,
 * verified. The ops-lead package is bound by its receipts' events; the public package, which carries
 * no events, by the sha256 of its parts the ledger recorded when it was issued (its
 * `ProofPackageIssued` event). The many changed packages are verified in this process
 * (./support/verify-in-process.ts, the command's own dispatch); the command runs for the untouched two.
 */
describe('a proof package bound end to end', () => {
  const principals = writePrincipals({ helpdesk: ['integrator'], agent: ['operator'], lead: ['ops-lead'] });
  let t: SharedTestWorkgate;
  let key: string;
  let id: string;
  const packages: Record<'ops-lead' | 'public', ProofPackage> = Object.create(null);

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    const as = clientsFor(t.url, principals.keys);
    key = (await (await fetch(`${t.url}/v1/ledger/key`)).text()).trim();
    const noted = await openNotedCase(as.helpdesk, as.agent, `PB-${randomUUID()}`);
    id = noted.id;
    expect(noted.note.decision).toBe('run');
    const done = await as.agent('POST', `/v1/work-orders/${id}/steps/inspect-case/complete`, {
      evidence: [
        { kind: 'receipt', ref: 'inspect-r' },
        { kind: 'call-log', ref: 'private-ref', private: true },
      ],
    });
    expect(done.status).toBe(200);
    packages['ops-lead'] = (
      await eventually(
        async () => {
          const r = await as.lead<ProofPackage>('GET', `/v1/work-orders/${id}/proof`);
          return r.status === 200 && r.body.receipts.length === 3 ? r : undefined;
        },
        10_000,
        'the package to hold the three receipts',
      )
    ).body;
    packages.public = (await as.agent<ProofPackage>('GET', `/v1/work-orders/${id}/proof?public=true`)).body;
    const again = (await as.agent<ProofPackage>('GET', `/v1/work-orders/${id}/proof?public=true`)).body;
    // The same package asked for again is the same issuance record, recorded once.
    expect(again.issuance.event).toEqual(packages.public.issuance.event);
  });
  afterAll(() => t?.close());

  it('verifies the untouched ops-lead package from the command line, every part bound, with exit 0', () => {
    const cli = runVerifyReceipt(JSON.stringify(packages['ops-lead']), key);
    expect(cli.code).toBe(0);
    for (const part of ['workOrder', 'delivery.json', 'delivery.html'])
      expect(cli.out).toMatch(new RegExp(`^${escaped(part)}: `, 'm'));
    expect(cli.out).toMatch(/^verifierKey: the key given$/m);
    expect(cli.out).toContain(
      `proof package of work order ${id}: verified (9 parts and 3 receipt(s), every one bound)`,
    );
    expect(cli.out).not.toMatch(/NOT BOUND|NOT VERIFIED/);
  });

  it('verifies the untouched public package from the command line by its issuance record, with exit 0', () => {
    const pub = packages.public;
    expect(pub.receipts.every((r) => r.event === undefined)).toBe(true);
    const cli = runVerifyReceipt(JSON.stringify(pub), key);
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(
      /^issuance: the public package's ProofPackageIssued event, position \d+: in the tree, hashes to its leaf$/m,
    );
    expect(cli.out).toMatch(
      /^definition: support-recovery v1, sha256 [0-9a-f]{64}: as the issuance record \(position \d+\) records, named by 1 decision receipt\(s\), the map and the work order$/m,
    );
    for (const part of ['map', 'boundary', 'workOrder', 'delivery.json'])
      expect(cli.out).toMatch(
        new RegExp(`^${escaped(part)}: sha256 ${HEX}, as the issuance record \\(position \\d+\\) records$`, 'm'),
      );
    expect(cli.out).toContain(
      `proof package of work order ${id}: verified (9 parts and 3 receipt(s), every one bound)`,
    );
    expect(cli.out).not.toMatch(/NOT BOUND|NOT VERIFIED/);
  });

  it.each(['ops-lead', 'public'] as const)(
    'exits 1 naming the part, with its message, for one character changed in each part of the %s package',
    (audience) => {
      const pkg = packages[audience];
      const flips = flipsOf(pkg);
      const parts = new Set(flips.map(({ path }) => partAt(asJson(pkg), path)));
      expect([...parts].sort()).toEqual(
        [
          'workOrder',
          'delivery.json',
          'delivery.html',
          'definition',
          'map',
          'boundary',
          'checkpoint',
          'verifierKey',
          'issuance',
        ]
          .concat(pkg.receipts.map((_, i) => `receipt ${i + 1}/3`))
          .sort(),
      );
      for (const { path, at, says } of flips) {
        const { code, out } = verifyInProcess(JSON.stringify(flipAt(pkg, path, at)), key);
        const problems = problemLines(out);
        const named = typeof says === 'string' ? problems.includes(says) : problems.some((p) => says.test(p));
        expect({ flipped: path.join('.'), code, named: named ? says : problems }).toEqual({
          flipped: path.join('.'),
          code: 1,
          named: says,
        });
        // A part that does not hold leaves no other part unbound, but the checkpoint and the issuance record that bind them.
        if (!['checkpoint', 'issuance'].includes(partAt(asJson(pkg), path)))
          expect({ flipped: path.join('.'), unbound: out.match(/^NOT BOUND: .*$/gm) }).toEqual({
            flipped: path.join('.'),
            unbound: null,
          });
      }
    },
  );

  it.each(['ops-lead', 'public'] as const)(
    'fails the %s package at every field: one value of each shape changed is named by its part',
    (audience) => {
      const pkg: PackageJson = asJson(packages[audience]);
      const shapes = new Map<string, JsonPath>();
      for (const path of leafPaths(pkg)) if (!shapes.has(shapeOf(path))) shapes.set(shapeOf(path), path);
      expect(shapes.size).toBeGreaterThan(100);
      const unnamed = [...shapes.values()]
        .map((path) => ({
          path: path.join('.'),
          part: partAt(pkg, path),
          problems: verdictOf(flipAt(pkg, path), key).problems,
        }))
        .filter(({ part, problems }) => !problems.map(placeOf).includes(part));
      expect(unnamed).toEqual([]);
    },
  );

  it('names a broken receipt and counts the decision receipts truthfully', () => {
    const full = packages['ops-lead'];
    const decision = full.receipts.findIndex((r) => r.kind === 'decision');
    const { lines, problems } = verdictOf(flipAt(full, ['receipts', decision, 'actor'], 0), key);
    expect(problems[0]).toBe(
      `receipt ${decision + 1}/3 ${full.receipts[decision].receiptId}: its actor is not what its event records`,
    );
    expect(lines.join('\n')).not.toContain('of 0 decision receipt(s)');
  });

  it('records only hashes of what the public package shows: no private evidence in its issuance record', () => {
    const { event } = packages.public.issuance;
    expect(event).toMatchObject({ type: 'ProofPackageIssued', streamId: `proof-${id}` });
    expect(event.data).toMatchObject({ workOrderId: id, audience: 'public' });
    expect(JSON.stringify(event)).not.toContain('private-ref');
    expect(JSON.stringify(packages.public)).not.toContain('private-ref');
  });

  it('names every part of a public package whose issuance record is taken out, and exits 1', () => {
    const { issuance: _issuance, ...stripped } = asJson(packages.public);
    const { code, out } = verifyInProcess(JSON.stringify(stripped), key);
    expect(code).toBe(1);
    expect(out.split('\n').filter((l) => /^(NOT BOUND|NOT VERIFIED| {2}also): /.test(l))).toEqual([
      ...packages.public.receipts.map(
        (r) =>
          `NOT BOUND: receipt ${r.receiptId} — its leaf is in the ledger, but its kind, decision, policy and evidence are not (the public package carries no events)`,
      ),
      expect.stringMatching(
        /^NOT BOUND: definition — support-recovery v1, sha256 [0-9a-f]{64}: .*\(the public package carries no events\)$/,
      ),
      'NOT BOUND: workOrder — the public package carries no events, and nothing the ledger signed records its hash',
      'NOT BOUND: delivery.json — the public package carries no events, and nothing the ledger signed records its hash',
      'NOT BOUND: delivery.html — delivery.json, the page it renders, is NOT BOUND',
      'NOT VERIFIED: issuance: the package carries no issuance record (its ProofPackageIssued event)',
    ]);
    expect(out).not.toMatch(/: verified/);
  });

  it("refuses the ops lead's issuance record in a public package, and the public one in the ops lead's", () => {
    const [full, pub] = [packages['ops-lead'], packages.public];
    expect(verdictOf({ ...pub, issuance: full.issuance }, key).problems.map(partOf)).toContain('issuance');
    expect(verdictOf({ ...full, issuance: pub.issuance }, key).problems.map(partOf)).toContain('issuance');
  });
});
