/**
 * JSON Schema (2020-12: the dialect of OpenAPI 3.1 and of AsyncAPI 3's payloads) written as typed
 * values: each builder returns a schema that carries the TypeScript type of the JSON it accepts,
 * so a contract's type can be checked against the schema that documents it (`documents`).
 */
export interface JsonSchema<T = unknown> {
  readonly [keyword: string]: unknown;
  /** The type of the values the schema accepts; never present at run time. */
  readonly __accepts?: T;
}

/** The type of the JSON a schema accepts. */
export type Infer<S> = S extends JsonSchema<infer T> ? T : never;

export type Fields = Record<string, JsonSchema>;
type Simplify<T> = { [K in keyof T]: T[K] };
type ObjectOf<R extends Fields, O extends Fields> = Simplify<
  { [K in keyof R]: Infer<R[K]> } & { [K in keyof O]?: Infer<O[K]> }
>;

const typed = <T>(schema: Record<string, unknown>): JsonSchema<T> => schema;

export const str = typed<string>({ type: 'string' });
export const time = typed<string>({ type: 'string', format: 'date-time' });
export const int = typed<number>({ type: 'integer' });
export const num = typed<number>({ type: 'number' });
export const bool = typed<boolean>({ type: 'boolean' });
export const sha256 = typed<string>({ type: 'string', pattern: '^[0-9a-f]{64}$' });
export const base64Hash = typed<string>({ type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' });
/** Any JSON value. */
export const anything = typed<unknown>({});

export const nullable = <T>(schema: JsonSchema<T>): JsonSchema<T | null> => ({ oneOf: [schema, { type: 'null' }] });
export const array = <T>(items: JsonSchema<T>): JsonSchema<readonly T[]> => ({ type: 'array', items });
export const strings = array(str);
export const oneOf = <V extends string>(...values: V[]): JsonSchema<V> => ({ type: 'string', enum: values });
export const constant = <V extends string | number | boolean>(value: V): JsonSchema<V> => ({ const: value });
export const map = <T = unknown>(values?: JsonSchema<T>): JsonSchema<Record<string, T>> => ({
  type: 'object',
  additionalProperties: values ?? anything,
});

/** The same schema with a description. */
export const described = <T>(schema: JsonSchema<T>, description: string): JsonSchema<T> => ({
  ...schema,
  description,
});

/**
 * An object whose `required` fields are always there and `optional` ones sometimes. More fields
 * are allowed: a client must ignore fields it does not know.
 */
export function object<R extends Fields, O extends Fields = Record<never, JsonSchema>>(
  required: R,
  optional?: O,
  description?: string,
): JsonSchema<ObjectOf<R, O>> {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    required: Object.keys(required),
    properties: { ...required, ...optional },
  };
}

/** Every value one of the schemas accepts. */
export const anyOf = <S extends JsonSchema[]>(...schemas: S): JsonSchema<Infer<S[number]>> => ({ anyOf: schemas });

/** Every value both schemas accept. */
export const allOf = <A, B>(a: JsonSchema<A>, b: JsonSchema<B>): JsonSchema<A & B> => ({ allOf: [a, b] });

/** A schema by name among a document's components: `ref` stands for it wherever it is used. */
export interface Component<T = unknown> {
  readonly name: string;
  readonly schema: JsonSchema<T>;
  readonly ref: JsonSchema<T>;
}

export const refTo = <T = unknown>(name: string): JsonSchema<T> => ({ $ref: `#/components/schemas/${name}` });

export const component = <T>(name: string, schema: JsonSchema<T>): Component<T> => ({
  name,
  schema,
  ref: refTo<T>(name),
});

/** The components by name, as a document's `components.schemas` holds them. */
export const byName = (components: readonly Component[]): Record<string, JsonSchema> =>
  Object.fromEntries(components.map((c) => [c.name, c.schema]));

/**
 * Checks, at compile time, that every value of the contract's type `T` is one the schema accepts
 * (what a service answers is what its document says), and returns the schema.
 */
export const documents =
  <T>() =>
  <S extends JsonSchema>(schema: S & ([T] extends [Infer<S>] ? unknown : { mismatch: Infer<S> })): S =>
    schema;
