import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatternDefinition } from '@workgate/contracts';
import { definitionSha256, parseDefinitionText } from './compile';
import { mergeWithPattern, patternSha256, StoredPattern } from './pattern';
import { validatePattern } from './pattern-validate';
import { CATALOG } from './test-fixtures';
import { validateDefinition } from './validate';

/** A governed checklist (docs/patterns.md, The pattern). */
const CHECKLIST: PatternDefinition = {
  name: 'governed-checklist',
  version: 1,
  title: 'Governed checklist',
  owner: 'controls',
  locked: ['rules', 'breakGlass', 'closure'],
  requiredInputs: [{ name: 'customerId' }],
  systems: [{ name: 'tracker', read: true, write: ['comment'] }],
  rules: [{ id: 'no-deletes', when: 'action.operation == "delete"', decision: 'stop', reason: 'nothing is deleted' }],
  steps: [{ id: 'check-prerequisites', title: 'Check the prerequisites' }],
  exceptionCodes: ['PREREQ_MISSING'],
  approval: { timeout: 'PT4H' },
  breakGlass: { allowed: true, postReviewDue: 'P2D', reviewer: 'controls' },
  closure: { evidence: ['handover-note'] },
};
const stored = (pattern: PatternDefinition = CHECKLIST): StoredPattern => ({ pattern, sha256: patternSha256(pattern) });
const lookup = (name: string, version: number) =>
  name === CHECKLIST.name && version === CHECKLIST.version ? stored() : undefined;

const REFUNDS = {
  jobType: 'refunds',
  version: 1,
  title: 'Refunds',
  owner: 'ana',
  extends: 'governed-checklist@1',
  systems: [{ name: 'payments', read: true, write: ['refund'] }],
  rules: [{ id: 'refunds-wait', when: 'action.operation == "refund"', decision: 'wait' }],
  steps: [{ id: 'refund', title: 'Refund the customer' }],
  exceptionCodes: ['PREREQ_MISSING', 'PAYMENT_MISMATCH'],
  closure: { evidence: ['refund-receipt'] },
};

describe('a workflow extending a pattern', () => {
  it('is the pattern plus its own parts: lists joined pattern first, codes and evidence once, maps key by key', () => {
    const v = validateDefinition({ ...REFUNDS, approval: { timeout: 'PT2H' } }, { catalog: CATALOG, pattern: lookup });
    expect(v.ok && v.definition).toEqual({
      jobType: 'refunds',
      version: 1,
      title: 'Refunds',
      owner: 'ana',
      requiredInputs: [{ name: 'customerId' }],
      systems: [
        { name: 'tracker', read: true, write: ['comment'] },
        { name: 'payments', read: true, write: ['refund'] },
      ],
      rules: [
        { id: 'no-deletes', when: 'action.operation == "delete"', decision: 'stop', reason: 'nothing is deleted' },
        { id: 'refunds-wait', when: 'action.operation == "refund"', decision: 'wait' },
      ],
      steps: [
        { id: 'check-prerequisites', title: 'Check the prerequisites' },
        { id: 'refund', title: 'Refund the customer' },
      ],
      exceptionCodes: ['PREREQ_MISSING', 'PAYMENT_MISMATCH'],
      approval: { timeout: 'PT2H' },
      breakGlass: { allowed: true, postReviewDue: 'P2D', reviewer: 'controls' },
      closure: { evidence: ['handover-note', 'refund-receipt'] },
      pattern: {
        name: 'governed-checklist',
        version: 1,
        sha256: patternSha256(CHECKLIST),
        from: [
          'requiredInputs.customerId',
          'systems.tracker',
          'rules.no-deletes',
          'steps.check-prerequisites',
          'exceptionCodes.PREREQ_MISSING',
          'closure.evidence.handover-note',
          'approval',
          'breakGlass',
        ],
        locked: ['rules', 'breakGlass', 'closure'],
      },
    });
  });

  it('hashes the effective definition: a new pattern version changes the workflow hash', () => {
    const v1 = validateDefinition(REFUNDS, { catalog: CATALOG, pattern: lookup });
    const next = { ...CHECKLIST, version: 2, steps: [...CHECKLIST.steps!, { id: 'sign-off', title: 'Sign off' }] };
    const v2 = validateDefinition(
      { ...REFUNDS, extends: 'governed-checklist@2' },
      { catalog: CATALOG, pattern: () => stored(next) },
    );
    if (!v1.ok || !v2.ok) throw new Error('both merge');
    expect(definitionSha256(v1.definition)).not.toBe(definitionSha256(v2.definition));
    expect(v2.definition.steps?.map((s) => s.id)).toEqual(['check-prerequisites', 'sign-off', 'refund']);
  });

  it('lists every attempt to weaken a locked part, and an id the pattern defines already', () => {
    const v = validateDefinition(
      {
        ...REFUNDS,
        systems: [...REFUNDS.systems, { name: 'tracker', read: true, write: ['comment', 'delete'] }],
        rules: [{ id: 'no-deletes', when: 'action.operation == "delete"', decision: 'run' }, ...REFUNDS.rules],
        steps: [{ id: 'check-prerequisites', title: 'Skip it' }],
        approval: { timeout: 'PT8H' },
        breakGlass: { allowed: true, postReviewDue: 'P30D', reviewer: 'ana' },
      },
      { catalog: CATALOG, pattern: lookup },
    );
    expect(v).toEqual({
      ok: false,
      problems: [
        {
          path: 'systems[1]',
          message:
            '"tracker" is defined by the pattern governed-checklist@1 already: an id is defined once in the effective definition',
        },
        {
          path: 'rules[0]',
          message:
            'the pattern governed-checklist@1 locks rules: this softens its decision from stop to run ("no-deletes")',
        },
        {
          path: 'steps[0]',
          message:
            '"check-prerequisites" is defined by the pattern governed-checklist@1 already: an id is defined once in the effective definition',
        },
        { path: 'breakGlass.postReviewDue', message: 'lengthens the locked breakGlass.postReviewDue from P2D to P30D' },
        { path: 'breakGlass.reviewer', message: 'changes the locked post-reviewer from controls to ana' },
      ],
    });
  });

  it('refuses break-glass allowed where the pattern locks it off, and a longer locked time-out', () => {
    const locked: PatternDefinition['locked'] = ['approval', 'breakGlass'];
    const strict = { ...CHECKLIST, locked, breakGlass: { allowed: false } };
    const merged = mergeWithPattern(
      {
        ...REFUNDS,
        approval: { timeout: 'P1D' },
        breakGlass: { allowed: true, postReviewDue: 'P1D', reviewer: 'ana' },
      },
      stored(strict),
    );
    expect(merged).toEqual({
      ok: false,
      problems: [
        { path: 'approval.timeout', message: 'lengthens the locked approval.timeout from PT4H to P1D' },
        { path: 'breakGlass.allowed', message: 'allows break-glass where the pattern locks it off' },
      ],
    });
  });

  it('may tighten a locked part: a shorter time-out, break-glass turned off', () => {
    const v = validateDefinition(
      { ...REFUNDS, approval: { timeout: 'PT1H' }, breakGlass: { allowed: false } },
      { catalog: CATALOG, pattern: lookup },
    );
    expect(v.ok && [v.definition.approval, v.definition.breakGlass]).toEqual([
      { timeout: 'PT1H' },
      { allowed: false, postReviewDue: 'P2D', reviewer: 'controls' },
    ]);
  });

  it('read back and edited (with its pattern, not extends), repeats the pattern items unchanged', () => {
    const v = validateDefinition(REFUNDS, { catalog: CATALOG, pattern: lookup });
    if (!v.ok) throw new Error('merges');
    const edited = { ...v.definition, title: 'Refunds, edited' };
    const again = validateDefinition(edited, { catalog: CATALOG, pattern: lookup });
    expect(again.ok && again.definition).toEqual({ ...v.definition, title: 'Refunds, edited' });
    const changed = { ...v.definition, rules: v.definition.rules!.map((r) => ({ ...r, decision: 'run' as const })) };
    const refused = validateDefinition(changed, { catalog: CATALOG, pattern: lookup });
    expect(refused.ok ? [] : refused.problems.map((p) => p.path)).toEqual(['rules[0]']);
  });

  it.each<[string, Record<string, unknown>, { path: string; message: string }]>([
    ['an unknown pattern', { extends: 'nope@1' }, { path: 'extends', message: 'no pattern nope@1 is published' }],
    [
      'extends without a version',
      { extends: 'governed-checklist' },
      { path: 'extends', message: 'must be <pattern>@<version>, e.g. governed-checklist@1' },
    ],
    [
      'both extends and pattern',
      { pattern: { name: 'governed-checklist', version: 1 } },
      { path: 'pattern', message: 'is recorded by workgate from extends: write one of them' },
    ],
  ])('names %s', (_, change, problem) => {
    expect(validateDefinition({ ...REFUNDS, ...change }, { catalog: CATALOG, pattern: lookup })).toEqual({
      ok: false,
      problems: [problem],
    });
  });

  it('refuses a rule after the merge that names a system neither defines', () => {
    const v = validateDefinition(
      { ...REFUNDS, rules: [{ id: 'crm', when: 'action.system == "crm"', decision: 'wait' }] },
      { catalog: CATALOG, pattern: lookup },
    );
    expect(v).toEqual({
      ok: false,
      problems: [{ path: 'rules[1].when', message: 'names system "crm", which is not in systems' }],
    });
  });
});

describe('a pattern', () => {
  it('is valid on its own', () => {
    expect(validatePattern(CHECKLIST, { catalog: CATALOG })).toEqual({ ok: true, pattern: CHECKLIST });
  });

  it('lists every problem: header, parts as a workflow has them, a locked part it does not hold, unknown keys', () => {
    const v = validatePattern(
      {
        name: 'Bad Name',
        version: 0,
        title: 'x',
        owner: 'controls',
        locked: ['steps', 'overlays'],
        rules: [{ id: 'r', when: 'action.system == "payments"', decision: 'stop' }],
        exceptionCodes: ['NOT_A_CODE'],
        extends: 'other@1',
      },
      { catalog: CATALOG },
    );
    expect(v.ok ? [] : v.problems).toEqual([
      { path: 'extends', message: 'unknown key "extends"' },
      { path: 'name', message: 'name must match [a-z0-9-]+' },
      { path: 'version', message: 'version must not be less than 1' },
      {
        path: 'locked',
        message:
          'locked may name only requiredInputs, systems, rules, steps, exceptionCodes, approval, breakGlass, closure',
      },
      { path: 'rules[0].when', message: 'names system "payments", which is not in systems' },
      { path: 'exceptionCodes[0]', message: '"NOT_A_CODE" is not in the exception-code catalog' },
      { path: 'locked[0]', message: 'locks steps, which the pattern does not hold' },
    ]);
  });
});

describe('the shipped pattern', () => {
  const text = readFileSync(join(__dirname, '..', '..', '..', 'patterns', 'governed-checklist.yaml'), 'utf8');
  const shipped = validatePattern(parseDefinitionText(text), { catalog: CATALOG });
  if (!shipped.ok) throw new Error(JSON.stringify(shipped.problems));
  const lookupShipped = () => stored(shipped.pattern);

  it('leaves the post-reviewer to each workflow: one that names none is refused', () => {
    const { breakGlass: _none, ...bare } = { ...REFUNDS, extends: 'governed-checklist@1', breakGlass: undefined };
    expect(validateDefinition(bare, { catalog: CATALOG, pattern: lookupShipped })).toEqual({
      ok: false,
      problems: [{ path: 'breakGlass.reviewer', message: 'is required when break-glass is allowed' }],
    });
    const named = validateDefinition(
      { ...bare, breakGlass: { reviewer: 'ana' } },
      { catalog: CATALOG, pattern: lookupShipped },
    );
    expect(named.ok && named.definition.breakGlass).toEqual({ allowed: true, postReviewDue: 'PT48H', reviewer: 'ana' });
  });
});
