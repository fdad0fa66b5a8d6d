import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { ConditionDto, typeStorage } from '@workgate/contracts';
import { WorkflowDefinitionDto } from '@workgate/workflow';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Class = new (...args: never[]) => unknown;
type Schema = Record<string, unknown>;

/**
 * Properties whose shape a class-validator rule cannot say: a condition is a title or an object
 * (read by a transform), a simulated draft is a definition object or its YAML/JSON text.
 */
const OVERRIDES: Record<string, { options: ApiPropertyOptions; classes?: Class[] }> = {
  'DecideApprovalDto.conditions': {
    options: {
      type: 'array',
      maxItems: 20,
      required: false,
      description:
        "a conditional approval's conditions: each a title, or {id?, title, owner?, due?} (due: an RFC 3339 time or an ISO 8601 duration)",
      items: {
        oneOf: [{ type: 'string', minLength: 1, maxLength: 1000 }, { $ref: '#/components/schemas/ConditionDto' }],
      },
    },
    classes: [ConditionDto],
  },
  'SimulateBody.definition': {
    options: {
      required: true,
      description: 'the draft: a definition object, or its YAML or JSON text',
      oneOf: [{ $ref: '#/components/schemas/WorkflowDefinitionDto' }, { type: 'string', minLength: 1 }],
    },
    classes: [WorkflowDefinitionDto],
  },
};

/** The classes whose properties carry their description already (once per process). */
const described = new WeakSet<Class>();
const isClass = (value: unknown): value is Class => typeof value === 'function';

/**
 * Gives a validated class (a request body or a query) the OpenAPI description of what its
 * class-validator rules accept, so the document says exactly what the validation pipe enforces
 * and cannot drift from it. Nested classes (class-transformer `@Type`) are described in turn.
 * Returns every class it described, for the document's components.
 */
export function describeValidatedClass(cls: Class, named: Map<string, Class> = new Map()): Map<string, Class> {
  if (named.has(cls.name)) return named;
  named.set(cls.name, cls);
  // Described before (another gateway of this process): its nested classes are named all the same.
  const again = described.has(cls);
  described.add(cls);
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of metadata) byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  for (const [property, rules] of byProperty) {
    const override = OVERRIDES[`${cls.name}.${property}`];
    let options: ApiPropertyOptions;
    if (override) {
      options = override.options;
      for (const nested of override.classes ?? []) describeValidatedClass(nested, named);
    } else {
      const typed: unknown = typeStorage()?.findTypeMetadata(cls, property)?.typeFunction?.();
      const nested = isClass(typed) ? typed : undefined;
      if (nested) describeValidatedClass(nested, named);
      options = propertyOptions(rules, nested);
    }
    const prototype: unknown = cls.prototype;
    if (!again && typeof prototype === 'object' && prototype !== null) ApiProperty(options)(prototype, property);
  }
  return named;
}

const hasDescription = (context: unknown): context is { description: string } =>
  typeof context === 'object' &&
  context !== null &&
  'description' in context &&
  typeof context.description === 'string';

function rule(rules: ValidationMetadata[], name: string): ValidationMetadata | undefined {
  return rules.find((r) => r.name === name);
}

/** What one property accepts, from its rules: the type, bounds, pattern, enum, and whether it may be left out. */
function propertyOptions(rules: ValidationMetadata[], nested: Class | undefined): ApiPropertyOptions {
  const optional = rules.some((r) => r.type === 'conditionalValidation');
  const evidence = rule(rules, 'isEvidence');
  if (evidence && nested) return evidenceOptions(evidence, nested, optional);
  const isArray = !!rule(rules, 'isArray') || rules.some((r) => r.type === 'nestedValidation' && r.each);
  // Rules with `each` constrain an array's items; the others the value itself.
  const itemRules = isArray ? rules.filter((r) => r.each) : [];
  const valueRules = isArray ? rules.filter((r) => !r.each) : rules;
  const value: Schema = isArray ? { type: 'array' } : scalar(valueRules, nested);
  if (isArray) {
    value.items = nested ? { $ref: `#/components/schemas/${nested.name}` } : scalar(itemRules, undefined);
    const min = rule(valueRules, 'arrayMinSize');
    const max = rule(valueRules, 'arrayMaxSize');
    if (min) value.minItems = min.constraints[0];
    if (max) value.maxItems = max.constraints[0];
    if (rule(valueRules, 'arrayUnique')) value.uniqueItems = true;
  }
  if (nested && !isArray) return { type: nested, required: !optional };
  return { ...value, required: !optional };
}

/** `evidence`: one object or a list of them, as `@IsEvidence` accepts (docs/api.md, Conventions (evidence)). */
function evidenceOptions(evidence: ValidationMetadata, nested: Class, optional: boolean): ApiPropertyOptions {
  const bounds: unknown[] = Array.isArray(evidence.constraints) ? evidence.constraints : [];
  const [min, max] = bounds;
  const item = { $ref: `#/components/schemas/${nested.name}` };
  const list: Schema = { type: 'array', items: item };
  if (typeof min === 'number') list.minItems = min;
  if (typeof max === 'number') list.maxItems = max;
  return { required: !optional, description: 'one evidence object, or a list of them', oneOf: [item, list] };
}

function scalar(rules: ValidationMetadata[], nested: Class | undefined): Schema {
  if (nested) return { $ref: `#/components/schemas/${nested.name}` };
  const schema: Schema = {};
  const isIn = rule(rules, 'isIn');
  if (isIn) {
    const values: unknown[] = Array.isArray(isIn.constraints[0]) ? isIn.constraints[0] : [];
    schema.type = typeof values[0] === 'number' ? 'number' : 'string';
    schema.enum = values;
    return schema;
  }
  if (rule(rules, 'isBoolean')) schema.type = 'boolean';
  else if (rule(rules, 'isInt')) schema.type = 'integer';
  else if (rule(rules, 'isNumber')) schema.type = 'number';
  else if (rule(rules, 'isObject')) Object.assign(schema, { type: 'object', additionalProperties: true });
  else if (
    rule(rules, 'isString') ||
    rule(rules, 'matches') ||
    rule(rules, 'isIso8601') ||
    rule(rules, 'maxLength') ||
    rule(rules, 'minLength')
  )
    schema.type = 'string';
  // `@Allow()` alone: any JSON value (stated, or the explorer would take the TypeScript type `unknown` as an object).
  else
    return {
      description: 'any JSON value',
      oneOf: ['string', 'number', 'boolean', 'object', 'array', 'null'].map((type) => ({ type })),
    };
  const min = rule(rules, 'min');
  if (min) schema.minimum = min.constraints[0];
  const max = rule(rules, 'max');
  if (max) schema.maximum = max.constraints[0];
  if (rule(rules, 'isIso8601')) schema.format = 'date-time';
  const matches = rule(rules, 'matches');
  const pattern: unknown = matches?.constraints[0];
  if (pattern instanceof RegExp) schema.pattern = pattern.source;
  if (rule(rules, 'isNotEmpty') && schema.type === 'string') schema.minLength = 1;
  const minLength = rule(rules, 'minLength');
  if (minLength) schema.minLength = minLength.constraints[0];
  const maxLength = rule(rules, 'maxLength');
  if (maxLength) schema.maxLength = maxLength.constraints[0];
  // What the property means: a rule's `context.description` (the DTO says it where it declares the
  // rule), else a rule's message.
  const context: unknown = rules.find((r) => hasDescription(r.context))?.context;
  const message = rules.find((r) => typeof r.message === 'string')?.message;
  if (hasDescription(context)) schema.description = context.description;
  else if (typeof message === 'string') schema.description = message;
  return schema;
}
