import {
  CloseConditionDto,
  CompletePostReviewDto,
  CompleteStepDto,
  RemediationDto,
  RequestActionDto,
} from '@workgate/contracts';
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

/** What the document says of a property comes from its validation rules alone (docs/api.md). */
describe('the OpenAPI description of a validated property', () => {
  const propertyOf = (cls: new () => object, property: string): unknown => {
    describeValidatedClass(cls);
    const described: unknown = Reflect.getMetadata('swagger/apiModelProperties', cls.prototype, property);
    return described;
  };

  it("bounds a list's items where the rule holds for each item, never the list's length", () => {
    const objects = propertyOf(RequestActionDto, 'objects');
    expect(objects).toMatchObject({ type: 'array', items: { type: 'string', maxLength: 200 } });
    expect(objects).not.toHaveProperty('maxLength');
  });

  it("says what a property means from its rule's context.description", () => {
    expect(propertyOf(RemediationDto, 'due')).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'An RFC 3339 time, or an ISO 8601 duration from now (`P14D`).',
    });
  });
});

describe('the classes a document names', () => {
  it('are the same for every document built in one process (a second gateway of the process)', () => {
    const names = () => [...describeValidatedClass(CompletePostReviewDto).keys()].sort();
    expect(names()).toEqual(['CompletePostReviewDto', 'RemediationDto']);
    expect(names()).toEqual(['CompletePostReviewDto', 'RemediationDto']);
  });
});
