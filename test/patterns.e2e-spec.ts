import { createHash } from 'node:crypto';
import type {
  ActionAnswer,
  DerivedWorkflow,
  OpenedAnswer,
  PatternDefinition,
  PatternSummary,
  PatternVersion,
  PermittedAction,
  PublishPatternResult,
  Receipt,
  WorkflowMap,
  WorkflowVersion,
} from '@workgate/contracts';
import { clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';

/**
 * Patterns end to end (docs/patterns.md): a pattern with a locked stop rule and a locked
 * break-glass with its post-review, two workflows that extend it, their effective definitions
 * read back, decisions in both, a weakening refused with every problem listed, the pattern
 * routes, a second version that leaves both workflows behind, and the refusals of publishing.
 */
jest.setTimeout(180_000);

const CONTROLS: PatternDefinition = {
  name: 'e2e-controls',
  version: 1,
  title: 'Controls every e2e workflow shares',
  owner: 'pat-lead',
  locked: ['rules', 'breakGlass'],
  rules: [{ id: 'no-purges', when: 'action.operation == "purge"', decision: 'stop', reason: 'nothing is ever purged' }],
  breakGlass: { allowed: true, postReviewDue: 'PT24H', reviewer: 'pat-lead' },
};

/** RFC 8785 canonical JSON of plain objects, arrays, strings, booleans and integers (docs/patterns.md, The pattern). */
const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.entries(v)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
          .join(',')}}`
      : JSON.stringify(v);
const SHA1 = createHash('sha256').update(canonical(CONTROLS)).digest('hex');

const refunds = {
  jobType: 'pat-refunds',
  version: 1,
  title: 'Refunds under the e2e controls',
  owner: 'pat-lead',
  extends: 'e2e-controls@1',
  systems: [{ name: 'payments', read: true, write: ['refund'] }],
  rules: [{ id: 'no-voids', when: 'action.operation == "void"', decision: 'stop', reason: 'voids go by hand' }],
};
const credits = {
  jobType: 'pat-credits',
  version: 1,
  title: 'Credits under the e2e controls',
  owner: 'pat-lead',
  extends: 'e2e-controls@1',
  systems: [{ name: 'crm', read: true, write: ['credit'] }],
};

describe('a pattern two workflows extend', () => {
  const principals = writePrincipals({
    'pat-admin': ['admin'],
    'pat-agent': ['integrator', 'operator'],
    'pat-lead': ['approver'],
    'pat-analyst': ['analyst'],
  });
  let t: SharedTestWorkgate;
  let as: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    const published = await as['pat-admin']<PublishPatternResult>('POST', '/v1/patterns', CONTROLS);
    expect(published).toMatchObject({
      status: 201,
      body: { name: 'e2e-controls', version: 1, sha256: SHA1, created: true },
    });
    for (const w of [refunds, credits]) expect((await as['pat-admin']('POST', '/v1/workflows', w)).status).toBe(201);
  });
  afterAll(() => t?.close());

  /** The decision on one action of a new work order of that job type. */
  const decide = async (jobType: string, action: PermittedAction) => {
    const opened = await as['pat-agent']<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType,
      externalRef: `${jobType}-${action.operation}`,
      source: 'agent',
      inputs: {},
    });
    expect(opened.status).toBe(201);
    const answer = await as['pat-agent']<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, action);
    expect(answer.status).toBe(201);
    // The decision and its receipt name the pattern the version extends (docs/patterns.md).
    expect(answer.body.policy.pattern).toEqual({ name: 'e2e-controls', version: 1, sha256: SHA1 });
    const receipt = await as['pat-lead']<Receipt>('GET', `/v1/receipts/${answer.body.receiptId}`);
    expect(receipt.body.policy.pattern).toEqual({ name: 'e2e-controls', version: 1, sha256: SHA1 });
    return { decision: answer.body.decision, reason: answer.body.reason, rule: answer.body.rule ?? null };
  };
  const write = (system: string, operation: string): PermittedAction => ({ system, operation, kind: 'write' });

  it('reads back each effective definition: the pattern merged first, and where it came from', async () => {
    const pattern = {
      name: 'e2e-controls',
      version: 1,
      sha256: SHA1,
      from: ['rules.no-purges', 'breakGlass'],
      locked: ['rules', 'breakGlass'],
    };
    const read = await as['pat-agent']<WorkflowVersion>('GET', '/v1/workflows/pat-refunds');
    expect(read.status).toBe(200);
    expect(read.body.definition).toEqual({
      jobType: 'pat-refunds',
      version: 1,
      title: 'Refunds under the e2e controls',
      owner: 'pat-lead',
      systems: [{ name: 'payments', read: true, write: ['refund'] }],
      rules: [
        { id: 'no-purges', when: 'action.operation == "purge"', decision: 'stop', reason: 'nothing is ever purged' },
        { id: 'no-voids', when: 'action.operation == "void"', decision: 'stop', reason: 'voids go by hand' },
      ],
      breakGlass: { allowed: true, postReviewDue: 'PT24H', reviewer: 'pat-lead' },
      pattern,
    });
    const other = await as['pat-agent']<WorkflowVersion>('GET', '/v1/workflows/pat-credits');
    expect(other.body.definition).toEqual({
      jobType: 'pat-credits',
      version: 1,
      title: 'Credits under the e2e controls',
      owner: 'pat-lead',
      systems: [{ name: 'crm', read: true, write: ['credit'] }],
      rules: [
        { id: 'no-purges', when: 'action.operation == "purge"', decision: 'stop', reason: 'nothing is ever purged' },
      ],
      breakGlass: { allowed: true, postReviewDue: 'PT24H', reviewer: 'pat-lead' },
      pattern,
    });
  });

  it("marks the map's nodes the pattern gave", async () => {
    const map = await as['pat-analyst']<WorkflowMap>('GET', '/v1/workflows/pat-refunds/versions/1/map');
    expect(map.status).toBe(200);
    expect(map.body.nodes.map((n) => [n.id, n.from ?? 'workflow'])).toEqual([
      ['payments', 'workflow'],
      ['no-purges', 'pattern'],
      ['no-voids', 'workflow'],
      ['break-glass', 'pattern'],
      ['closure', 'workflow'],
    ]);
  });

  it("stops what the pattern's rule matches in both workflows; a workflow's own rule decides in its own only", async () => {
    const stopped = { decision: 'stop', reason: 'rule_matched', rule: 'no-purges' };
    expect(await decide('pat-refunds', write('payments', 'purge'))).toEqual(stopped);
    expect(await decide('pat-credits', write('crm', 'purge'))).toEqual(stopped);
    expect(await decide('pat-refunds', write('payments', 'void'))).toEqual({
      decision: 'stop',
      reason: 'rule_matched',
      rule: 'no-voids',
    });
    expect(await decide('pat-credits', write('crm', 'void'))).toEqual({
      decision: 'stop',
      reason: 'write_not_allowed',
      rule: null,
    });
    expect(await decide('pat-credits', write('crm', 'credit'))).toEqual({
      decision: 'run',
      reason: 'inside_boundary',
      rule: null,
    });
  });

  it('refuses a workflow that weakens a locked part, listing every attempt', async () => {
    const weak = await as['pat-admin']('POST', '/v1/workflows', {
      ...refunds,
      jobType: 'pat-weak',
      rules: [{ id: 'no-purges', when: 'action.operation == "purge"', decision: 'run' }],
      breakGlass: { postReviewDue: 'P30D', reviewer: 'pat-agent' },
    });
    expect(weak.status).toBe(422);
    expect(weak.body).toEqual({
      error: 'invalid_definition',
      message: 'the definition has 3 problems',
      details: [
        {
          path: 'rules[0]',
          message: 'the pattern e2e-controls@1 locks rules: this softens its decision from stop to run ("no-purges")',
        },
        {
          path: 'breakGlass.postReviewDue',
          message: 'lengthens the locked breakGlass.postReviewDue from PT24H to P30D',
        },
        { path: 'breakGlass.reviewer', message: 'changes the locked post-reviewer from pat-lead to pat-agent' },
      ],
    });
    expect((await as['pat-admin']('GET', '/v1/workflows/pat-weak')).status).toBe(404);
  });

  it('lists the patterns, with the shipped one, and reads a pattern and one of its versions', async () => {
    const list = await as['pat-agent']<PatternSummary[]>('GET', '/v1/patterns');
    expect(list.status).toBe(200);
    // In name order; on the shared workgate, other files' patterns are listed too.
    const names = list.body.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    const ours = list.body.filter((p) => ['e2e-controls', 'governed-checklist'].includes(p.name));
    expect(ours.map((p) => [p.name, p.owner, p.currentVersion])).toEqual([
      ['e2e-controls', 'pat-lead', 1],
      ['governed-checklist', 'controls-lead', 1],
    ]);
    expect(ours[0]).toEqual({
      name: 'e2e-controls',
      title: 'Controls every e2e workflow shares',
      owner: 'pat-lead',
      currentVersion: 1,
      versions: [{ version: 1, sha256: SHA1, publishedAt: expect.any(String) }],
    });
    const newest = await as['pat-agent']<PatternVersion>('GET', '/v1/patterns/e2e-controls');
    expect(newest).toMatchObject({ status: 200, body: { name: 'e2e-controls', version: 1, sha256: SHA1 } });
    expect(newest.body.pattern).toEqual(CONTROLS);
    const one = await as['pat-agent']<PatternVersion>('GET', '/v1/patterns/e2e-controls/versions/1');
    expect(one).toMatchObject({ status: 200, body: newest.body });
    expect((await as['pat-agent']('GET', '/v1/patterns/e2e-controls/versions/7')).body).toEqual({
      error: 'not_found',
      message: 'pattern e2e-controls has no version 7',
    });
    expect((await as['pat-agent']('GET', '/v1/patterns/nope')).status).toBe(404);
  });

  it('names the workflows that extend it, behind once a newer version is published', async () => {
    const derived = () => as['pat-agent']<DerivedWorkflow[]>('GET', '/v1/patterns/e2e-controls/derived');
    const sorted = (d: DerivedWorkflow[]) => [...d].sort((a, b) => a.jobType.localeCompare(b.jobType));
    expect(sorted((await derived()).body)).toEqual([
      { jobType: 'pat-credits', version: 1, patternVersion: 1, behind: false },
      { jobType: 'pat-refunds', version: 1, patternVersion: 1, behind: false },
    ]);
    const v2 = await as['pat-admin']<PublishPatternResult>('POST', '/v1/patterns', {
      ...CONTROLS,
      version: 2,
      breakGlass: { allowed: true, postReviewDue: 'PT12H', reviewer: 'pat-lead' },
    });
    expect(v2).toMatchObject({ status: 201, body: { name: 'e2e-controls', version: 2, created: true } });
    expect(sorted((await derived()).body)).toEqual([
      { jobType: 'pat-credits', version: 1, patternVersion: 1, behind: true },
      { jobType: 'pat-refunds', version: 1, patternVersion: 1, behind: true },
    ]);
    // The workflows keep the version they extend until a version of their own moves.
    const read = await as['pat-agent']<WorkflowVersion>('GET', '/v1/workflows/pat-refunds');
    expect(read.body.definition.breakGlass).toEqual({ allowed: true, postReviewDue: 'PT24H', reviewer: 'pat-lead' });
  });

  it('writes nothing for the same content again, refuses a lower version and a caller who is not an admin', async () => {
    const again = await as['pat-admin']<PublishPatternResult>('POST', '/v1/patterns', CONTROLS);
    expect(again).toMatchObject({
      status: 201,
      body: { name: 'e2e-controls', version: 1, sha256: SHA1, created: false },
    });
    expect(again.headers.get('Workgate-Position')).toBe('0');
    const lower = await as['pat-admin']('POST', '/v1/patterns', { ...CONTROLS, title: 'Changed at version 1' });
    expect(lower.status).toBe(409);
    expect(lower.body).toEqual({
      error: 'version_not_higher',
      message: 'pattern e2e-controls is at version 2; a new pattern needs a higher version than 1',
      details: [{ name: 'e2e-controls', currentVersion: 2, version: 1 }],
    });
    const notAdmin = await as['pat-lead']('POST', '/v1/patterns', { ...CONTROLS, version: 3 });
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body).toMatchObject({ error: 'forbidden' });
    expect((await as['pat-agent']<PatternVersion>('GET', '/v1/patterns/e2e-controls')).body.version).toBe(2);
  });
});
