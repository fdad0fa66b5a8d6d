import { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject, PathItemObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CLOUD_EVENT_COMMANDS } from '@workgate/contracts';
import { PatternDefinitionDto, WorkflowDefinitionDto } from '@workgate/workflow';
import { readsViewsRoute, routeAccess } from '../http';
import { answerOf, isReadByPost, requestBodyOf } from './decorators';
import { describeValidatedClass } from './from-validation';
import { codesOf, ErrorStatus, ref, responseSchemas, Schema } from './schemas';

type Class = new (...args: never[]) => unknown;

/** Why each error status can answer, in words; the codes follow from the catalog. */
const WHY: Record<ErrorStatus, string> = {
  400: 'the body is not JSON (or not the media type it says)',
  401: 'no API key, or an unknown one',
  403: "the key's principal lacks the role, or is not the owner this decision needs",
  404: 'no such id (or a stage, step or version the work order does not have)',
  409: 'the state does not allow it now (decided, closed, not the expected version, ...)',
  413: 'the body is larger than the route takes: 1 MiB, 256 KiB where it carries a workflow definition',
  415: 'a media type the route does not read',
  431: 'the request headers are larger than 16 KiB',
  422: 'the request names something invalid: each problem is in `details` as {path, message}',
  429: 'the principal sent more than its rate limit; retry after `Retry-After` seconds',
  503: 'a service is not answering, or the views have not caught up (`not_caught_up`: retry after `Retry-After`)',
  504: 'the service did not answer in time; the write may have happened: retry with the same Idempotency-Key',
};

/**
 * The OpenAPI 3.1 document of the HTTP API, served at `/docs` (and `/docs-json`). Nest's explorer
 * gives the paths, parameters and tags; request bodies and query parameters are described from
 * the validation rules the routes apply; what each route answers comes from `@Documented`; the
 * error answers, the consistency and idempotency headers and the security from the route's own
 * metadata (roles, reads of the views, writes).
 */
/** The HTTP API's version: the `/v1` of its paths, and its OpenAPI document's `info.version`. */
export const API_VERSION = '1';

export function openApiDocument(app: INestApplication, controllers: Class[]): OpenAPIObject {
  const bodyClasses = new Map<string, Class>();
  for (const { bodyClass, queryClass } of routes(controllers)) {
    if (bodyClass) describeValidatedClass(bodyClass, bodyClasses);
    if (queryClass) describeValidatedClass(queryClass);
  }
  const eventData = Object.values(CLOUD_EVENT_COMMANDS).map((c) => c.dto);
  for (const cls of [WorkflowDefinitionDto, PatternDefinitionDto, ...eventData])
    describeValidatedClass(cls, bodyClasses);

  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('workgate')
    .setDescription(
      'The control plane for delegated work: what may run inside a declared boundary, what waits for its named owner, what stops with a reason. ' +
        'Every error answers `{error, message, details?}` with a stable code. Writes answer `Workgate-Position`; reads of the views wait for it (`Workgate-Min-Position`).',
    )
    .setVersion(API_VERSION)
    .addServer('/', 'this workgate')
    .addSecurity('apiKey', {
      type: 'http',
      scheme: 'bearer',
      description:
        'An API key issued by `npm run principal` (stored as its SHA-256 only): `Authorization: Bearer <key>`.',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [...bodyClasses.values()],
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });

  // The JSON Schemas of the answers are OpenAPI 3.1's (e.g. `type: [...]`), which the explorer's 3.0 types do not spell.
  const schemas = Object.assign({ ...document.components?.schemas }, responseSchemas(), {
    CloudEvent: cloudEventSchema(),
  });
  document.components = {
    ...document.components,
    schemas,
    parameters: {
      IdempotencyKey: {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Makes the write safe to retry: a replay within 7 days answers the first answer (`Idempotent-Replayed: true`) and writes nothing; the same key with another request is 422 `idempotency_key_reused`.',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
      },
      MinPosition: {
        name: 'Workgate-Min-Position',
        in: 'header',
        required: false,
        description:
          "The ledger position this read must reflect (a write's `Workgate-Position`). Without it, a principal's read reflects its own last write. Waits up to 5 s, then 503 `not_caught_up`.",
        schema: { type: 'string', pattern: '^\\d{1,15}$' },
      },
    },
    headers: {
      Position: {
        description: 'The ledger position of the commit that recorded this write.',
        schema: { type: 'string', pattern: '^\\d+$' },
      },
      Replayed: {
        description: '`true` when this is the first answer to the same Idempotency-Key, replayed.',
        schema: { type: 'string', enum: ['true'] },
      },
      RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'string', pattern: '^\\d+$' } },
    },
    securitySchemes: document.components?.securitySchemes,
  };

  for (const route of routes(controllers)) {
    const operation = findOperation(document, route.operationId);
    if (!operation) continue;
    complete(operation, route);
  }
  return document;
}

interface Route {
  controller: Class;
  method: string;
  handler: object;
  operationId: string;
  bodyClass?: Class;
  queryClass?: Class;
  hasPathParams: boolean;
  isWrite: boolean;
  /** A write that records: it answers Workgate-Position and takes an Idempotency-Key (a POST that only reads does neither). */
  records: boolean;
}

/** Every route of the controllers with the classes of its validated body and query. */
function routes(controllers: Class[]): Route[] {
  const found: Route[] = [];
  for (const controller of controllers) {
    const proto: unknown = controller.prototype;
    if (typeof proto !== 'object' || proto === null) continue;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const handler: unknown = Reflect.get(proto, method);
      if (
        method === 'constructor' ||
        typeof handler !== 'function' ||
        Reflect.getMetadata(PATH_METADATA, handler) === undefined
      )
        continue;
      const args: unknown = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method);
      const types: unknown = Reflect.getMetadata('design:paramtypes', proto, method);
      const argClass = (paramtype: RouteParamtypes): Class | undefined => {
        const entry = Object.entries(isObject(args) ? args : {}).find(
          ([key]) => key.split(':')[0] === String(paramtype),
        );
        const index: unknown = entry && isObject(entry[1]) ? Reflect.get(entry[1], 'index') : undefined;
        const type: unknown = Array.isArray(types) && typeof index === 'number' ? types[index] : undefined;
        return isClass(type) && type !== Object ? type : undefined;
      };
      const path = String(Reflect.getMetadata(PATH_METADATA, handler));
      found.push({
        controller,
        method,
        handler,
        operationId: `${controller.name.replace(/Controller$/, '')}_${method}`,
        bodyClass: argClass(RouteParamtypes.BODY),
        queryClass: argClass(RouteParamtypes.QUERY),
        hasPathParams: path.includes(':') || String(Reflect.getMetadata(PATH_METADATA, controller)).includes(':'),
        isWrite: Reflect.getMetadata(METHOD_METADATA, handler) !== 0, // RequestMethod.GET is 0
        records: Reflect.getMetadata(METHOD_METADATA, handler) !== 0 && !isReadByPost(handler),
      });
    }
  }
  return found;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function findOperation(document: OpenAPIObject, operationId: string): OperationObject | undefined {
  for (const item of Object.values<PathItemObject>(document.paths)) {
    for (const method of METHODS) if (item[method]?.operationId === operationId) return item[method];
  }
  return undefined;
}

/** Adds to one operation what Nest's explorer cannot know: answers, errors, headers, security. */
function complete(operation: OperationObject, route: Route): void {
  const access = routeAccess(route.handler, route.controller);
  const readsViews = readsViewsRoute(route.handler, route.controller);
  // The Idempotency-Key the handler reads is the documented component, not a required header of its own.
  const parameters = (operation.parameters ?? []).filter((p) => !('in' in p) || p.in !== 'header');
  if (route.records) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
  if (readsViews) parameters.push({ $ref: '#/components/parameters/MinPosition' });
  operation.parameters = parameters;

  const requestBody = requestBodyOf(route.handler);
  if (requestBody) {
    operation.requestBody = { required: true, content: {} };
    Object.assign(operation.requestBody, requestBody.description ? { description: requestBody.description } : {}, {
      content: mediaTypes(requestBody.content),
    });
  }

  const answer = answerOf(route.handler);
  const success = Object.keys(operation.responses ?? {}).find((s) => s.startsWith('2')) ?? '200';
  const headers: Record<string, unknown> = { ...(answer?.headers ?? {}) };
  if (route.records)
    Object.assign(headers, {
      'Workgate-Position': { $ref: '#/components/headers/Position' },
      'Idempotent-Replayed': { $ref: '#/components/headers/Replayed' },
    });
  const content = mediaTypes({
    ...(answer?.json ? { 'application/json': answer.json } : {}),
    ...answer?.alternatives,
  });
  // Response bodies are OpenAPI 3.1 JSON Schemas, which the explorer's 3.0 types do not spell.
  const responses: Record<string, object> = {
    [success]: {
      description: operation.summary ?? 'success',
      ...(Object.keys(headers).length ? { headers } : {}),
      ...(Object.keys(content).length ? { content } : {}),
    },
  };

  for (const [status, other] of Object.entries(answer?.also ?? {}))
    responses[status] = {
      description: other.description,
      ...(Object.keys(headers).length ? { headers } : {}),
      content: mediaTypes({ 'application/json': other.json }),
    };

  for (const status of statusesOf(route, access.public)) {
    responses[String(status)] = {
      description: `${WHY[status]}. Codes: ${codesOf(status)
        .map((c) => `\`${c}\``)
        .join(', ')}.`,
      ...(status === 429 || status === 503
        ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } }
        : {}),
      content: { 'application/json': { schema: ref(`Error${status}`) } },
    };
  }

  operation.responses = {};
  Object.assign(operation.responses, responses);

  if (access.public) operation.security = [];
  else operation.security = [{ apiKey: [] }];
  const who = access.public
    ? 'No API key needed.'
    : access.roles.length
      ? `Roles: ${access.roles.join(', ')}.`
      : 'Any principal.';
  operation.description = [operation.description, who].filter(Boolean).join('\n\n');
}

/** The error statuses a route can answer: every route's, then those of path ids, of bodies and of writes. */
function statusesOf(route: Route, isPublic: boolean): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>([422, 429, 431, 503, 504]);
  if (!isPublic) ([401, 403] as const).forEach((s) => statuses.add(s));
  if (route.hasPathParams) statuses.add(404);
  if (route.isWrite) ([400, 409, 413, 415] as const).forEach((s) => statuses.add(s));
  return [...statuses].sort();
}

const isClass = (value: unknown): value is Class => typeof value === 'function';
const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** Each schema as the media type object of its media type. */
const mediaTypes = (bySchema: Record<string, Schema>): Record<string, { schema: Schema }> =>
  Object.fromEntries(Object.entries(bySchema).map(([type, schema]) => [type, { schema }]));

/** A CloudEvent as `POST /v1/events` and WORK_EVENTS take it: the envelope, and per type what `data` is. */
function cloudEventSchema(): Schema {
  return {
    type: 'object',
    description:
      "A CloudEvents 1.0 event in the JSON format. `subject` is the work order's externalRef within `source`.",
    required: ['specversion', 'id', 'source', 'type'],
    properties: {
      specversion: { const: '1.0' },
      id: { type: 'string', minLength: 1 },
      source: { type: 'string', minLength: 1 },
      type: { type: 'string', enum: Object.keys(CLOUD_EVENT_COMMANDS) },
      subject: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      datacontenttype: { type: 'string' },
      dataschema: { type: 'string' },
      data: { description: 'the body of the route the type stands for' },
    },
    oneOf: Object.entries(CLOUD_EVENT_COMMANDS).map(([type, c]) => ({
      required: ['type'],
      properties: { type: { const: type }, data: ref(c.dto.name) },
    })),
  };
}
