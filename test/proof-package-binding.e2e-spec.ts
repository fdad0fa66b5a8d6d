import { randomUUID } from 'node:crypto';
import { verifyProofPackage } from '../cli/verify-package';
import { checked, isRecord, parsed } from './support/guards';
import { eventually } from './support/processes';
import { client, clientsFor, openNotedCase, writePrincipals } from './support/principals';
import { runVerifyReceipt } from './support/verify-cli';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { ProofPackage } from '@workgate/contracts';

/** One character of `text` at `at` changed to another of the same kind (a digit stays a digit, a letter a letter). */
function flipped(text: string, at: number): string {
  const c = text[at];
  const other = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : c === 'a' ? 'b' : c === 'A' ? 'B' : 'a';
  return text.slice(0, at) + other + text.slice(at + 1);
}

type Json = Record<string, unknown>;
/** A package as JSON, the way the verifier reads one (a file's contents). */
type PackageJson = Json & { receipts: unknown[] };
const isPackageJson = (value: unknown): value is PackageJson => isRecord(value) && Array.isArray(value.receipts);
/** An object or an array of the JSON, indexed by key or position. */
const isNode = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** The package as the JSON a file of it holds: a deep copy. */
const asJson = (pkg: ProofPackage | PackageJson): PackageJson =>
  parsed(JSON.stringify(pkg), isPackageJson, 'the package');

/** A deep copy of the package with one character of the string at `path` flipped (at `at`, the middle when not given). */
function flipAt(pkg: ProofPackage, path: Array<string | number>, at?: number): PackageJson {
  const copy = asJson(pkg);
  let holder: Json = copy;
  for (const step of path.slice(0, -1)) holder = checked(holder[step], isNode, path.join('.'));
  const last = path[path.length - 1];
  const text = holder[last];
  if (typeof text !== 'string') throw new Error(`${path.join('.')} is not a string`);
  holder[last] = flipped(text, at ?? Math.floor(text.length / 2));
  return copy;
}

/** What the verifier says of a package, in this process. */
const verdictOf = (pkg: ProofPackage | PackageJson, key: string) => verifyProofPackage(asJson(pkg), key);

/** The part a problem names: the words before its first `:` (or after `NOT BOUND: ` up to ` —`). */
const partOf = (problem: string) =>
  problem.startsWith('NOT BOUND: ') ? `NOT BOUND ${problem.slice(11).split(' — ')[0]}` : problem.split(':')[0];

/**
 * Every part of a proof package is bound to the ledger: one character changed in any of them (the
 * work order, the delivery page's JSON and HTML, the definition, the map and one of its exception
 * nodes, the boundary, each receipt, the checkpoint, the issuance record) makes `npm run
 * verify-receipt` fail naming that part; the untouched packages verify. The ops-lead package is
 * bound by its receipts' events; the public package, which carries no events, by the sha256 of its
 * parts the ledger recorded when it was issued (its `ProofPackageIssued` event).
 */
describe('a proof package bound end to end', () => {
  const principals = writePrincipals({ helpdesk: ['integrator'], agent: ['operator'], lead: ['ops-lead'] });
  let t: TestWorkgate;
  let as: Record<string, ReturnType<typeof client>>;
  let key: string;
  let id: string;
  let full: ProofPackage;
  let pub: ProofPackage;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
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
    full = (
      await eventually(
        async () => {
          const r = await as.lead<ProofPackage>('GET', `/v1/work-orders/${id}/proof`);
          return r.status === 200 && r.body.receipts.length === 3 ? r : undefined;
        },
        10_000,
        'the package to hold the three receipts',
      )
    ).body;
    pub = (await as.agent<ProofPackage>('GET', `/v1/work-orders/${id}/proof?public=true`)).body;
  });
  afterAll(() => t?.close());

  /** The flips of the parts of a package that a verifier must name: [the part's name, what was flipped, the package]. */
  const flipsOf = (pkg: ProofPackage): Array<[string, string, PackageJson]> => {
    const exception = pkg.map.nodes.findIndex((n) => n.kind === 'exception');
    const flip = (part: string, path: Array<string | number>, at?: number): [string, string, PackageJson] => [
      part,
      path.join('.'),
      flipAt(pkg, path, at),
    ];
    return [
      flip('workOrder', ['workOrder', 'status'], 0),
      flip('delivery.json', ['delivery', 'json', 'status'], 0),
      flip('delivery.html', ['delivery', 'html']),
      flip('definition', ['definition'], pkg.definition.indexOf('"title":"') + 10),
      flip('map', ['map', 'nodes', pkg.map.nodes.findIndex((n) => n.kind === 'step'), 'label'], 0),
      // An exception node's label and owner are the exception catalog's of the day, not the definition's.
      flip('map', ['map', 'nodes', exception, 'label'], 0),
      flip('map', ['map', 'nodes', exception, 'owner'], 0),
      flip('boundary', ['boundary', 'systems', 0, 'name'], 0),
      ...pkg.receipts.flatMap((r, i) =>
        (['at', 'actor', 'kind'] as const).map((field) =>
          flip(`receipt ${i + 1}/${pkg.receipts.length} ${r.receiptId}`, ['receipts', i, field], 0),
        ),
      ),
      flip('checkpoint', ['checkpoint'], pkg.checkpoint.indexOf('\n') + 3),
      flip('issuance', ['issuance', 'event', 'data', 'parts', 'map'], 0),
      flip('issuance', ['issuance', 'event', 'recordedAt'], 3),
      flip('issuance', ['issuance', 'proof', 'inclusion', 0], 0),
    ];
  };

  /** Every flip is named by its part, in this process; and from the command line, exit 1 with the part on a `NOT VERIFIED:` line. */
  const expectEveryFlipNamed = (pkg: ProofPackage, label: string) => {
    const flips = flipsOf(pkg);
    expect(flips).toHaveLength(12 + 3 * pkg.receipts.length);
    for (const [part, flipped, changed] of flips) {
      const { problems } = verdictOf(changed, key);
      expect({ label, flipped, named: problems.map(partOf) }).toEqual({
        label,
        flipped,
        named: expect.arrayContaining([part]),
      });
      // Only a checkpoint or an issuance record that does not hold leaves parts unbound (and named so).
      const unbound = ['checkpoint', 'issuance'].includes(part)
        ? []
        : problems.filter((p) => p.startsWith('NOT BOUND'));
      expect({ label, flipped, unbound }).toEqual({
        label,
        flipped,
        unbound: [],
      });
    }
    for (const [part, flipped, changed] of flips.filter((_, i) => i % 4 === 0)) {
      const cli = runVerifyReceipt(JSON.stringify(changed), key);
      expect({ label, flipped, code: cli.code }).toEqual({ label, flipped, code: 1 });
      expect(cli.out).toMatch(new RegExp(`^(NOT VERIFIED|  also): ${part.replace(/[./]/g, '\\$&')}: `, 'm'));
    }
  };

  it('verifies the untouched ops-lead package, every part bound, and says so with exit 0', () => {
    expect(verdictOf(full, key).problems).toEqual([]);
    const cli = runVerifyReceipt(JSON.stringify(full), key);
    expect(cli.code).toBe(0);
    for (const part of ['workOrder', 'delivery.json', 'delivery.html'])
      expect(cli.out).toMatch(new RegExp(`^${part.replace('.', '\\.')}: `, 'm'));
    expect(cli.out).toContain(
      `proof package of work order ${id}: verified (8 parts and 3 receipt(s), every one bound)`,
    );
    expect(cli.out).not.toContain('NOT BOUND');
  });

  it('names the part for a character changed in any part of the ops-lead package', () => {
    expectEveryFlipNamed(full, 'ops-lead');
  });

  it('exits 1 from the command line naming the part, for the work order state and the delivery page', () => {
    for (const [part, path] of [
      ['workOrder', ['workOrder', 'status']],
      ['delivery.html', ['delivery', 'html']],
    ] as const) {
      const cli = runVerifyReceipt(JSON.stringify(flipAt(full, [...path], path.length === 2 ? 0 : undefined)), key);
      expect(cli.code).toBe(1);
      expect(cli.out).toMatch(new RegExp(`^NOT VERIFIED: ${part.replace('.', '\\.')}: `, 'm'));
    }
  });

  it('names a broken receipt and counts the decision receipts truthfully', () => {
    const decision = full.receipts.findIndex((r) => r.kind === 'decision');
    const { lines, problems } = verdictOf(flipAt(full, ['receipts', decision, 'actor'], 0), key);
    expect(problems[0]).toBe(
      `receipt ${decision + 1}/3 ${full.receipts[decision].receiptId}: its actor is not what its event records`,
    );
    expect(lines.join('\n')).not.toContain('of 0 decision receipt(s)');
  });

  it('verifies the untouched public package by the hashes its issuance record holds, and exits 0', () => {
    expect(pub.receipts.every((r) => r.event === undefined)).toBe(true);
    expect(verdictOf(pub, key).problems).toEqual([]);
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
        new RegExp(
          `^${part.replace('.', '\\.')}: sha256 [0-9a-f]{64}, as the issuance record \\(position \\d+\\) records$`,
          'm',
        ),
      );
    expect(cli.out).toContain(
      `proof package of work order ${id}: verified (8 parts and 3 receipt(s), every one bound)`,
    );
    expect(cli.out).not.toContain('NOT BOUND');
  });

  it('records only hashes of what the public package shows: no private evidence in its issuance record', () => {
    const { event } = pub.issuance;
    expect(event).toMatchObject({ type: 'ProofPackageIssued', streamId: `proof-${id}` });
    expect(event.data).toMatchObject({ workOrderId: id, audience: 'public' });
    expect(JSON.stringify(event)).not.toContain('private-ref');
    expect(JSON.stringify(pub)).not.toContain('private-ref');
  });

  it('issues the same package once: asked again, the same issuance record', async () => {
    const again = (await as.agent<ProofPackage>('GET', `/v1/work-orders/${id}/proof?public=true`)).body;
    expect(again.issuance.event.eventId).toBe(pub.issuance.event.eventId);
    expect(again.issuance.event.position).toBe(pub.issuance.event.position);
    expect(verdictOf(again, key).problems).toEqual([]);
  });

  it('names the part for a character changed in any part of the public package', () => {
    expectEveryFlipNamed(pub, 'public');
  });

  it('names every part of a public package whose issuance record is taken out, and exits 1', () => {
    const { issuance: _issuance, ...stripped } = asJson(pub);
    const { problems } = verdictOf(stripped, key);
    expect(problems).toEqual([
      ...pub.receipts.map(
        (r) =>
          `NOT BOUND: receipt ${r.receiptId} — its leaf is in the ledger, but its kind, decision, policy and evidence are not (the public package carries no events)`,
      ),
      'issuance: the package carries no issuance record (its ProofPackageIssued event)',
      expect.stringMatching(/^NOT BOUND: definition — support-recovery v1, sha256 [0-9a-f]{64}: /),
      'NOT BOUND: workOrder — the public package carries no events, and nothing the ledger signed records its hash',
      'NOT BOUND: delivery.json — the public package carries no events, and nothing the ledger signed records its hash',
      'NOT BOUND: delivery.html — delivery.json, the page it renders, is NOT BOUND',
    ]);
    const cli = runVerifyReceipt(JSON.stringify(stripped), key);
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(/^NOT VERIFIED: issuance: the package carries no issuance record/m);
    expect(cli.out).not.toMatch(/: verified/);
  });

  it("refuses the ops lead's issuance record in a public package, and the public one in the ops lead's", () => {
    expect(verdictOf({ ...pub, issuance: full.issuance }, key).problems.map(partOf)).toContain('issuance');
    expect(verdictOf({ ...full, issuance: pub.issuance }, key).problems.map(partOf)).toContain('issuance');
  });
});
