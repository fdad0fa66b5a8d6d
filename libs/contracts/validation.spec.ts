import { plainToInstance, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, validateSync, ValidateNested } from 'class-validator';
import fc from 'fast-check';
import {
  inexactNumberProblems,
  inexactNumbers,
  jsonValueProblems,
  MAX_KEYS,
  MAX_NODES,
  plainStandsIn,
  validateDto,
  vouchesFor,
} from './validation';
import * as dtos from './dto';
import { CompleteStepDto } from './dto';

describe('validation', () => {
  it('finds prototype keys at any depth', () => {
    const value = JSON.parse('{"a":{"b":[{"__proto__":{"x":1}}]},"constructor":1}');
    expect(
      jsonValueProblems(value)
        .map((p) => p.path)
        .sort(),
    ).toEqual(['a.b[0].__proto__', 'constructor']);
  });

  it('refuses nesting deeper than 64 levels without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(jsonValueProblems(deep)).toEqual([{ path: expect.any(String), message: 'is nested deeper than 64 levels' }]);
  });

  it('refuses U+0000 and unpaired surrogates in strings and keys, and keeps paired ones', () => {
    const value = JSON.parse('{"a":"x\\u0000y","b":["\\ud800"],"c":{"\\udc00k":1},"ok":"\\ud83d\\ude00 é"}');
    expect(
      jsonValueProblems(value)
        .map((p) => p.path)
        .sort(),
    ).toEqual(['a', 'b[0]', 'c.\\udc00k']);
  });

  it('refuses a number that is not finite (its text was too large for a double)', () => {
    const value = JSON.parse('{"inf":1e999,"fine":[9007199254740992,1e21,0.1,-2.5e-300]}');
    expect(jsonValueProblems(value).map((p) => p.path)).toEqual(['inf']);
  });

  it(`refuses an object of more than ${MAX_KEYS} keys and a value of more than ${MAX_NODES} values`, () => {
    const wide = { facts: Object.fromEntries(Array.from({ length: MAX_KEYS + 1 }, (_, i) => [`k${i}`, i])) };
    expect(jsonValueProblems(wide)).toEqual([
      { path: 'facts', message: `has ${MAX_KEYS + 1} keys, more than ${MAX_KEYS}` },
    ]);
    const many = { list: Array.from({ length: MAX_NODES }, () => 1) };
    expect(jsonValueProblems(many)).toEqual([{ path: 'list', message: `holds more than ${MAX_NODES} values in all` }]);
    expect(jsonValueProblems({ list: Array.from({ length: MAX_NODES - 2 }, () => 1) })).toEqual([]);
  });

  it('finds the numbers of a JSON text a parse would round, and names where they are', () => {
    const text =
      '{"a":"12345678901234567890","b":12345678901234567890,"c":[0.1,1e21,123456789012345,0.12345678901234567890,1.50000000000000000000]}';
    expect(inexactNumbers(text)).toEqual(['12345678901234567890', '0.12345678901234567890']);
    expect(
      inexactNumberProblems(text, JSON.parse(text))
        .map((p) => p.path)
        .sort(),
    ).toEqual(['b', 'c[3]']);
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (d) => inexactNumbers(JSON.stringify({ d })).length === 0,
      ),
    );
  });

  it('lists unknown keys at every depth with their paths', () => {
    const r = validateDto(CompleteStepDto, { evidence: [{ kind: 'k', ref: 'r', extra: 1 }], other: true });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.path).sort()).toEqual(['evidence[0].extra', 'other']);
  });
});

/** Every DTO of a body, with a value it accepts. */
const VALID: Array<[Function, Record<string, unknown>]> = [
  [dtos.EvidenceDto, { kind: 'receipt', ref: 'r-1', sha256: 'f'.repeat(64), private: true, note: 'n' }],
  [
    dtos.OpenWorkOrderDto,
    { jobType: 'support-recovery', externalRef: 'CASE-1', source: 'helpdesk', inputs: { caseId: 'C-1' }, owner: 'ops' },
  ],
  [
    dtos.RequestActionDto,
    {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      objects: ['order:1'],
      facts: { paid: true },
      stepId: 's',
    },
  ],
  [dtos.CompleteStepDto, { evidence: [{ kind: 'receipt', ref: 'r-1' }], note: 'done' }],
  [dtos.BlockStepDto, { code: 'PREREQ_MISSING', rationale: 'no address' }],
  [dtos.CloseWorkOrderDto, { closureEvidenceId: 'e-1', evidence: [{ kind: 'receipt', ref: 'r-1' }] }],
  [dtos.ReportClosureDto, { closedAt: '2026-11-23T05:00:00Z', note: 'closed', evidence: [] }],
  [dtos.ReopenWorkOrderDto, { reason: 'customer called back' }],
  [dtos.CompleteStepEventDto, { stepId: 'inspect-case', evidence: [{ kind: 'receipt', ref: 'r-1' }] }],
  [dtos.BlockStepEventDto, { stepId: 'inspect-case', code: 'PREREQ_MISSING', rationale: 'r' }],
  [dtos.OpenWorkOrderEventDto, { jobType: 'support-recovery', inputs: {} }],
  [dtos.BreakGlassActionDto, { system: 'shop', operation: 'refund', kind: 'write' }],
  [
    dtos.BreakGlassDto,
    { code: 'OUTAGE', rationale: 'r', action: { system: 'shop', operation: 'refund', kind: 'write' } },
  ],
  [dtos.StageArtifactDto, { kind: 'draft', ref: 'doc-1' }],
  [dtos.RecordArtifactDto, { artifact: { kind: 'draft', ref: 'doc-1' } }],
  [
    dtos.RecordArtifactEventDto,
    { stageId: 'draft', artifact: { kind: 'draft', ref: 'doc-1' }, evidence: [{ kind: 'k', ref: 'r' }] },
  ],
  [dtos.ActionScopeDto, { system: 'crm', operation: 'contact.update', kind: 'write' }],
  [dtos.ChangeScopeDto, { add: [{ system: 'crm', operation: 'contact.update', kind: 'write' }], reason: 'r' }],
  [dtos.DelegationArtifactDto, { path: 'notes/a.md', access: 'read' }],
  [
    dtos.DelegationPromptDto,
    {
      objective: 'o',
      scope: 's',
      artifacts: [{ path: 'a', access: 'write' }],
      verification: ['npm test'],
      completion: 'c',
    },
  ],
  [dtos.DelegationTimeoutsDto, { initialWait: 'PT30M', reminderEvery: 'PT15M', backoff: 2, hardTimeout: 'PT4H' }],
  [
    dtos.DispatchDelegationDto,
    { recipient: 'agent-7', command: 'delegate_task', prompt: { objective: 'o' }, timeouts: { hardTimeout: 'PT1H' } },
  ],
  [dtos.ConfirmDelegationDto, { note: 'checked the diff' }],
  [dtos.PermittedActionDto, { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1'] }],
  [
    dtos.DecideApprovalDto,
    {
      decision: 'conditional',
      permittedAction: { system: 'payments', operation: 'refund', kind: 'write' },
      conditions: ['R-03', { id: 'c-2', title: 'cap', owner: 'o', due: 'P14D' }],
      note: 'n',
    },
  ],
  [dtos.ConditionDto, { id: 'R-03', title: 'retention policy signed', owner: 'dpo', due: '2026-12-01T00:00:00Z' }],
  [dtos.CloseConditionDto, { evidence: { kind: 'policy-doc', ref: 'p-1' } }],
  [dtos.RemediationDto, { title: 't', owner: 'o', due: '2026-12-01T00:00:00Z' }],
  [
    dtos.CompletePostReviewDto,
    { outcome: 'justified', remediation: { title: 't', owner: 'o', due: '2026-12-01T00:00:00Z' } },
  ],
  [dtos.ResolveExceptionDto, { resolution: 'called back', evidence: [{ kind: 'call-log', ref: 'c-1' }] }],
  [dtos.CloseRemediationDto, { evidence: { kind: 'change', ref: 'PR-1' } }],
  [
    dtos.SignedCheckpointDto,
    { position: 3, headHash: 'a'.repeat(64), at: '2026-11-23T05:00:00Z', keyId: 'k', signature: 's', publicKey: 'p' },
  ],
  [
    dtos.VerifyCheckpointDto,
    {
      checkpoint: {
        position: 3,
        headHash: 'a'.repeat(64),
        at: '2026-11-23T05:00:00Z',
        keyId: 'k',
        signature: 's',
        publicKey: 'p',
      },
    },
  ],
  [dtos.RecordActionResultDto, { resultSha256: 'c'.repeat(64), isError: false }],
  [dtos.StopWorkOrderDto, { reason: 'the delegation timed out' }],
  [dtos.ExceptionCodeDto, { code: 'NEW_CODE', title: 't', owner: 'o', sla: 'PT4H' }],
];

const classValidatorAccepts = (cls: Function, value: object) =>
  validateSync(plainToInstance(cls as new () => object, value), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  }).length === 0;

describe('the compiled check of a DTO', () => {
  it('covers every DTO of a body', () => {
    const all = (Object.values(dtos) as unknown[]).filter(
      (v): v is Function => typeof v === 'function' && v.name.endsWith('Dto'),
    );
    expect(new Set(VALID.map(([cls]) => cls))).toEqual(new Set(all));
  });

  /** DTOs with a transform (conditions given as strings or objects) are left to class-validator: none is on the hot path. */
  const TRANSFORMED: Function[] = [dtos.DecideApprovalDto];

  it.each(VALID.map(([cls, value]) => [cls.name, cls, value] as const))(
    'vouches for a valid %s',
    (_name, cls, value) => {
      expect(classValidatorAccepts(cls, value)).toBe(true);
      expect(vouchesFor(cls, value)).toBe(!TRANSFORMED.includes(cls));
    },
  );

  it('never vouches for a value class-validator refuses', () => {
    const leaf = fc.oneof(
      fc.constantFrom(
        '',
        ' ',
        'a',
        'read',
        'write',
        'x'.repeat(101),
        'x'.repeat(201),
        'x'.repeat(2001),
        'x'.repeat(4001),
        'f'.repeat(64),
        'F'.repeat(64),
      ),
      fc.constantFrom(
        'support-recovery',
        'Bad Job',
        '-x',
        'helpdesk',
        'a b',
        '2026-11-23T05:00:00Z',
        '2026-11-23',
        'not a time',
      ),
      fc.string({ maxLength: 4 }),
      fc.boolean(),
      fc.integer(),
      fc.constant(null),
    );
    const keys = [...new Set(VALID.flatMap(([, v]) => Object.keys(v))), 'extra', 'evidence', 'action', 'artifact'];
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), tie('object')),
      object: fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 5 }),
    }));
    // A valid value with some members dropped, replaced or added: mostly one change away from valid.
    const nearValid = fc
      .constantFrom(...VALID)
      .chain(([cls, valid]) =>
        fc
          .tuple(
            fc.subarray(Object.keys(valid)),
            fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 2 }),
            fc.dictionary(fc.constantFrom(...Object.keys(valid)), value, { maxKeys: 1 }),
          )
          .map(
            ([kept, added, replaced]) =>
              [cls, { ...Object.fromEntries(kept.map((k) => [k, valid[k]])), ...added, ...replaced }] as const,
          ),
      );
    let vouched = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          { arbitrary: nearValid, weight: 4 },
          { arbitrary: fc.tuple(fc.constantFrom(...VALID.map(([cls]) => cls)), value), weight: 1 },
        ),
        ([cls, candidate]) => {
          if (
            candidate === null ||
            typeof candidate !== 'object' ||
            Array.isArray(candidate) ||
            !vouchesFor(cls, candidate)
          )
            return;
          vouched++;
          expect(classValidatorAccepts(cls, candidate)).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
    // The property had teeth: many generated values were vouched for (and so checked against class-validator).
    expect(vouched).toBeGreaterThan(800);
  });

  it('uses a vouched-for plain body in place of its DTO instance only when the two hold the same', () => {
    const standing = VALID.filter(([cls]) => plainStandsIn(cls));
    // Every body DTO but the transformed one: none sets a field itself or has a method.
    expect(standing.map(([cls]) => cls.name).sort()).toEqual(
      VALID.map(([cls]) => cls.name)
        .filter((name) => !TRANSFORMED.some((t) => t.name === name))
        .sort(),
    );
    for (const [cls, value] of standing) {
      const instance = plainToInstance(cls as new () => object, value) as Record<string, unknown>;
      for (const [key, member] of Object.entries(instance)) expect(member === undefined || key in value).toBe(true);
      expect(JSON.parse(JSON.stringify(instance))).toEqual(value);
    }

    class Part {
      @IsString() name!: string;
    }
    class Defaulted {
      @IsOptional() @IsInt() limit = 50;
    }
    class WithMethod {
      @IsString() name!: string;
      shout(): string {
        return this.name.toUpperCase();
      }
    }
    class HoldsDefaulted {
      @ValidateNested() @Type(() => Defaulted) inner!: Defaulted;
    }
    class HoldsPart {
      @ValidateNested() @Type(() => Part) part!: Part;
    }
    class InheritsMethod extends WithMethod {
      @IsString() other!: string;
    }
    expect([Defaulted, WithMethod, HoldsDefaulted, InheritsMethod].map((cls) => plainStandsIn(cls))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(plainStandsIn(HoldsPart)).toBe(true);
  });

  it('leaves to class-validator what it refuses, so every problem is still named', () => {
    const r = validateDto(dtos.RequestActionDto, {
      system: 'shop',
      operation: 'x'.repeat(201),
      kind: 'delete',
      facts: 'no',
      extra: 1,
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.path).sort()).toEqual(['extra', 'facts', 'kind', 'operation']);
  });
});
