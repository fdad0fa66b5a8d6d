import { randomUUID } from 'node:crypto';
import { verifyProofPackage } from '../cli/verify-package';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { runVerifyReceipt } from './support/verify-cli';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { ActionAnswer, OpenedAnswer, ProofPackage } from '@workgate/contracts';

/** One character of `text` at `at` changed to another of the same kind (a digit stays a digit, a letter a letter). */
function flipped(text: string, at: number): string {
  const c = text[at];
  const other = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : c === 'a' ? 'b' : c === 'A' ? 'B' : 'a';
  return text.slice(0, at) + other + text.slice(at + 1);
}

type Json = Record<string, unknown>;

/** A deep copy of the package with one character of the string at `path` flipped (at `at`, the middle when not given). */
function flipAt(pkg: ProofPackage, path: Array<string | number>, at?: number): ProofPackage {
  const copy = JSON.parse(JSON.stringify(pkg)) as Json;
  let holder: Json = copy;
  for (const step of path.slice(0, -1)) holder = holder[step] as Json;
  const last = path[path.length - 1];
  const text = holder[last];
  if (typeof text !== 'string') throw new Error(`${path.join('.')} is not a string`);
  holder[last] = flipped(text, at ?? Math.floor(text.length / 2));
  return copy as unknown as ProofPackage;
}

/** What the verifier says of a package, in this process. */
const verdictOf = (pkg: ProofPackage, key: string) =>
  verifyProofPackage(pkg as unknown as Json & { receipts: unknown[] }, key);

/** The part a problem names: the words before its first `:` (or after `NOT BOUND: ` up to ` —`). */
const partOf = (problem: string) =>
  problem.startsWith('NOT BOUND: ') ? `NOT BOUND ${problem.slice(11).split(' — ')[0]}` : problem.split(':')[0];

/**
 * Every part of a proof package is bound to the ledger: one character changed in any of them (the
 * work order, the delivery page's JSON and HTML, the definition, the map, the boundary, each
 * receipt, the checkpoint) makes `npm run verify-receipt` fail naming that part; the untouched
 * ops-lead package verifies. The public package, which carries no events, names each part it
 * cannot bind and does not verify.
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
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: `PB-${randomUUID()}`,
      source: 'helpdesk',
      inputs: { caseId: 'PB-1', orderId: '1001', orderPaid: true },
    });
    id = opened.body.id;
    const note = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'helpdesk',
      operation: 'case.note',
      kind: 'write',
    });
    expect(note.body.decision).toBe('run');
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

  /** The flips of the parts of a package that a verifier must name, by the part's name. */
  const flipsOf = (pkg: ProofPackage, receiptField: Array<string | number>): Array<[string, ProofPackage]> => [
    ['workOrder', flipAt(pkg, ['workOrder', 'status'], 0)],
    ['delivery.json', flipAt(pkg, ['delivery', 'json', 'status'], 0)],
    ['delivery.html', flipAt(pkg, ['delivery', 'html'])],
    ['definition', flipAt(pkg, ['definition'], pkg.definition.indexOf('"title":"') + 10)],
    ['map', flipAt(pkg, ['map', 'nodes', pkg.map.nodes.findIndex((n) => n.kind === 'step'), 'label'], 0)],
    ['boundary', flipAt(pkg, ['boundary', 'systems', 0, 'name'], 0)],
    ...pkg.receipts.map((r, i): [string, ProofPackage] => [
      `receipt ${i + 1}/${pkg.receipts.length} ${r.receiptId}`,
      flipAt(pkg, ['receipts', i, ...receiptField]),
    ]),
    ['checkpoint', flipAt(pkg, ['checkpoint'], pkg.checkpoint.indexOf('\n') + 3)],
  ];

  it('verifies the untouched ops-lead package, every part bound, and says so with exit 0', () => {
    expect(verdictOf(full, key).problems).toEqual([]);
    const cli = runVerifyReceipt(JSON.stringify(full), key);
    expect(cli.code).toBe(0);
    for (const part of ['workOrder', 'delivery.json', 'delivery.html'])
      expect(cli.out).toMatch(new RegExp(`^${part.replace('.', '\\.')}: `, 'm'));
    expect(cli.out).toContain(
      `proof package of work order ${id}: verified (7 parts and 3 receipt(s), every one bound)`,
    );
    expect(cli.out).not.toContain('NOT BOUND');
  });

  it('names the part for a character changed in any part of the ops-lead package', () => {
    const flips = flipsOf(full, ['at']);
    expect(flips).toHaveLength(7 + 3);
    for (const [part, pkg] of flips) {
      const { problems } = verdictOf(pkg, key);
      expect({ part, named: problems.map(partOf) }).toEqual({ part, named: expect.arrayContaining([part]) });
    }
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

  it('names every part of the public package it cannot bind, and exits 1', () => {
    const { problems } = verdictOf(pub, key);
    expect(problems).toEqual([
      ...pub.receipts.map(
        (r) =>
          `NOT BOUND: receipt ${r.receiptId} — its leaf is in the ledger, but its kind, decision, policy and evidence are not (the public package carries no events)`,
      ),
      expect.stringMatching(/^NOT BOUND: definition — support-recovery v1, sha256 [0-9a-f]{64}: /),
      'NOT BOUND: workOrder — the public package carries no events, and nothing the ledger signed records its hash',
      'NOT BOUND: delivery.json — the public package carries no events, and nothing the ledger signed records its hash',
      'NOT BOUND: delivery.html — delivery.json, the page it renders, is NOT BOUND',
    ]);
    const cli = runVerifyReceipt(JSON.stringify(pub), key);
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(/^NOT BOUND: delivery\.html — /m);
    expect(cli.out).not.toMatch(/: verified/);
  });

  it('names the part for a character changed in any part of the public package that its leaves bind', () => {
    const named = ['delivery.html', 'definition', 'map', 'boundary', 'checkpoint'];
    for (const [part, pkg] of flipsOf(pub, ['ledger', 'hash']).filter(
      ([p]) => named.includes(p) || p.startsWith('receipt '),
    )) {
      const { problems } = verdictOf(pkg, key);
      expect({ part, named: problems.map(partOf) }).toEqual({ part, named: expect.arrayContaining([part]) });
    }
  });
});
