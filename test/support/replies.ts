import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { jsonSchema } from '@workgate/contracts';
import { responseSchemas } from '../../apps/gateway/openapi/schemas';

const DOC_ID = 'replies.json';
let ajv: Ajv2020 | undefined;

/** The validator of one reply schema of the API document (refs resolve among all of them). */
function validatorOf<T>(name: string): ValidateFunction<T> {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: DOC_ID, components: { schemas: responseSchemas() } });
  }
  return ajv.compile<T>({ $ref: `${DOC_ID}#/components/schemas/${name}` });
}

/**
 * `value` as the contract type `T` its reply `component` (libs/contracts/schemas) documents, after
 * the schema the API document publishes for it accepted it; fails, naming each problem, when it
 * does not. For JSON a test reads off the product outside the HTTP client: a downloaded file, a
 * 202 whose body may be one of two replies. `T` comes from where the value goes (a typed variable
 * or return) and must be one the schema accepts (`[T] extends [S]`, as `documents<T>()` checks the
 * schema at compile time): the schema's own type differs from it only in readonly arrays.
 */
export function replyOf<T, S>(
  component: jsonSchema.Component<S> & ([T] extends [S] ? unknown : { mismatch: T }),
  value: unknown,
): T {
  const validate = validatorOf<T>(component.name);
  if (validate(value)) return value;
  const problems = ajv?.errorsText(validate.errors, { separator: '; ' });
  throw new Error(`not a ${component.name}: ${problems}`);
}
