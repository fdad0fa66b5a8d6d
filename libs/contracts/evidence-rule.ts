import { registerDecorator, ValidationArguments } from 'class-validator';

/** The most pieces of evidence one write carries. */
export const MAX_EVIDENCE = 100;

const isObject = (value: unknown): boolean => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * `evidence` as every write takes it (docs/api.md, Conventions (evidence)): one `{kind, ref}` object, or a list
 * of at least `min` and at most 100 of them. The `@ValidateNested` beside it checks each item, so a
 * problem is named by its path (`evidence[1].ref`).
 */
export function IsEvidence({ min = 0 }: { min?: number } = {}): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isEvidence',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [min, MAX_EVIDENCE],
      validator: {
        validate: (value: unknown) =>
          isObject(value) || (Array.isArray(value) && value.length >= min && value.length <= MAX_EVIDENCE),
        defaultMessage: ({ value, property }: ValidationArguments) => {
          if (!Array.isArray(value)) return `${property} must be one {kind, ref} object or a list of them`;
          return value.length < min
            ? `${property} needs at least one {kind, ref} object`
            : `${property} takes at most ${MAX_EVIDENCE} items`;
        },
      },
    });
}
