import { getMetadataStorage } from 'class-validator';
import { evidenceList, evidenceProblems } from './evidence-input';
import { vouchesFor } from './compiled-check';
import { validateDto } from './validation';
import * as dtos from './dto';

/** Every body that takes `evidence` takes it the same way (docs/api.md, Conventions (evidence)): one object or a list. */
const receipt = { kind: 'receipt', ref: 'r-1' };
const TAKERS: Array<{ cls: new () => object; rest: Record<string, unknown>; required: boolean }> = [
  { cls: dtos.CompleteStepDto, rest: {}, required: false },
  { cls: dtos.CompleteStepEventDto, rest: { stepId: 'inspect-case' }, required: false },
  { cls: dtos.CloseWorkOrderDto, rest: {}, required: false },
  { cls: dtos.ReportClosureDto, rest: {}, required: false },
  { cls: dtos.RecordArtifactDto, rest: { artifact: { kind: 'design', ref: 'd-1' } }, required: false },
  {
    cls: dtos.RecordArtifactEventDto,
    rest: { stageId: 'design', artifact: { kind: 'design', ref: 'd-1' } },
    required: false,
  },
  { cls: dtos.ResolveExceptionDto, rest: {}, required: false },
  { cls: dtos.CloseConditionDto, rest: {}, required: true },
  { cls: dtos.CloseRemediationDto, rest: {}, required: true },
];

describe('evidence in a write', () => {
  it('covers every DTO with an evidence field', () => {
    const withEvidence = Object.values<unknown>(dtos).filter(
      (v) =>
        typeof v === 'function' &&
        getMetadataStorage()
          .getTargetValidationMetadatas(v, '', true, false)
          .some((m) => m.propertyName === 'evidence'),
    );
    expect(new Set(withEvidence)).toEqual(new Set(TAKERS.map((t) => t.cls)));
  });

  describe.each(TAKERS.map((t) => [t.cls.name, t] as const))('%s', (_name, { cls, rest, required }) => {
    it('takes one object and a list, on the compiled path as in class-validator', () => {
      for (const evidence of [receipt, [receipt], [receipt, { kind: 'photo', ref: 'p-1', private: true }]]) {
        expect(validateDto(cls, { ...rest, evidence })).toEqual({ ok: true });
        expect(vouchesFor(cls, { ...rest, evidence })).toBe(true);
      }
    });
    it('names the item and the field that is wrong', () => {
      const paths = (evidence: unknown) => {
        const r = validateDto(cls, { ...rest, evidence });
        return r.ok ? [] : [...new Set(r.problems.map((p) => p.path))];
      };
      expect(paths([receipt, { kind: 'photo' }])).toEqual(['evidence[1].ref']);
      expect(paths({ ref: 'r-1' })).toEqual(['evidence.kind']);
    });
    it('refuses what is neither an object nor a list of objects, naming evidence', () => {
      const r = validateDto(cls, { ...rest, evidence: 'r-1' });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.problems).toContainEqual({
        path: 'evidence',
        message: 'evidence must be one {kind, ref} object or a list of them',
      });
    });
    it(required ? 'refuses an empty list' : 'takes an empty list (the write decides what it needs)', () => {
      const r = validateDto(cls, { ...rest, evidence: [] });
      if (!required) expect(r).toEqual({ ok: true });
      else
        expect(r).toEqual({
          ok: false,
          problems: [{ path: 'evidence', message: 'evidence needs at least one {kind, ref} object' }],
        });
    });
    it('takes at most 100 items', () => {
      const r = validateDto(cls, { ...rest, evidence: Array.from({ length: 101 }, () => receipt) });
      expect(r).toEqual({ ok: false, problems: [{ path: 'evidence', message: 'evidence takes at most 100 items' }] });
    });
  });
});

describe('evidenceList and evidenceProblems', () => {
  it('read one object as a list of one, and name an empty list and each missing field', () => {
    expect(evidenceList(receipt)).toEqual([receipt]);
    expect(evidenceList([receipt, receipt])).toEqual([receipt, receipt]);
    expect(evidenceList(undefined)).toEqual([]);
    expect(evidenceProblems([], 'closing a task')).toEqual([
      { path: 'evidence', message: 'closing a task needs at least one piece of evidence' },
    ]);
    expect(evidenceProblems([receipt, { kind: ' ', ref: '' }], 'closing a task')).toEqual([
      { path: 'evidence[1].kind', message: 'is required' },
      { path: 'evidence[1].ref', message: 'is required' },
    ]);
  });
});
