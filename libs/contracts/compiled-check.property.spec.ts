import { plainToInstance, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, validateSync, ValidateNested } from 'class-validator';
import fc from 'fast-check';
import { plainStandsIn, vouchesFor } from './compiled-check';
import * as dtos from './dto';
import { VALID } from './valid-bodies.fixtures';

/** Generated bodies per property: 2,000 in `npm test`, more in the faults tier (WORKGATE_PROPERTY_RUNS). */
const RUNS = Math.max(2_000, Number(process.env.WORKGATE_PROPERTY_RUNS ?? 0) * 2);

const classValidatorAccepts = (cls: new () => object, value: object) =>
  validateSync(plainToInstance(cls, value), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  }).length === 0;

describe('the compiled check of a DTO', () => {
  it('covers every DTO of a body', () => {
    const all = Object.values<unknown>(dtos).filter((v) => typeof v === 'function' && v.name.endsWith('Dto'));
    expect(new Set(VALID.map(([cls]) => cls))).toEqual(new Set(all));
  });

  /** DTOs with a transform (conditions given as strings or objects) are left to class-validator: none is on the hot path. */
  const TRANSFORMED: Array<new () => object> = [dtos.DecideApprovalDto];

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
      { numRuns: RUNS },
    );
    // The property had teeth: many generated values were vouched for (and so checked against class-validator).
    expect(vouched).toBeGreaterThan(RUNS / 25);
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
      const instance: object = plainToInstance(cls, value);
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
});
