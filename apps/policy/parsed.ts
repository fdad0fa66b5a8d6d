import { WorkgateError } from '@workgate/contracts';
import { assertDefinitionSize, parseDefinitionText } from '@workgate/workflow';

/**
 * A definition as given (an object, or YAML/JSON text parsed): 413 past its size before it is
 * parsed, 422 `invalid_definition` when the text is neither YAML nor JSON.
 */
export function parsedDefinition(definition: unknown): unknown {
  assertDefinitionSize(definition);
  if (typeof definition !== 'string') return definition;
  try {
    return parseDefinitionText(definition);
  } catch (error) {
    if (error instanceof WorkgateError) throw error;
    throw new WorkgateError('invalid_definition', 'the definition is neither valid YAML nor JSON', [
      { path: '', message: (error as Error).message },
    ]);
  }
}
