import { CloseConditionDto, CompleteStepDto } from '@workgate/contracts';
import { describeValidatedClass } from './from-validation';

/** What the OpenAPI document says of `evidence`: what `@IsEvidence` accepts (docs/api.md, Conventions). */
describe('the OpenAPI description of evidence', () => {
  const evidenceOf = (cls: new () => object): unknown => {
    describeValidatedClass(cls);
    const described: unknown = Reflect.getMetadata('swagger/apiModelProperties', cls.prototype, 'evidence');
    return described;
  };
  const item = { $ref: '#/components/schemas/EvidenceDto' };

  it('is one object or a list of up to 100, of at least one where the write needs evidence', () => {
    expect(evidenceOf(CloseConditionDto)).toMatchObject({
      required: true,
      oneOf: [item, { type: 'array', items: item, minItems: 1, maxItems: 100 }],
    });
    expect(evidenceOf(CompleteStepDto)).toMatchObject({
      required: true,
      oneOf: [item, { type: 'array', items: item, minItems: 0, maxItems: 100 }],
    });
  });
});
