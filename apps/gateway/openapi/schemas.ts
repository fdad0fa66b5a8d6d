import { ErrorCodes, jsonSchema as s, REPLY_SCHEMAS, replyShapes, VIEW_NAMES, viewColumns } from '@workgate/contracts';
import { Principal, ROLES } from '../http/principals';

/**
 * The schemas of what the API answers (OpenAPI 3.1, i.e. JSON Schema 2020-12): the answers of the
 * contracts (`REPLY_SCHEMAS`, declared once in libs/contracts), the gateway's own (its principal,
 * its health, a view's rows) and the error bodies. Request bodies are described from their
 * validation rules instead (from-validation.ts).
 */
export type Schema = s.JsonSchema;

export const ref = (name: string): Schema => s.refTo(name);

export function viewSchemaName(view: string): string {
  return `View_${view.replace(/[^a-z]+/g, '_')}`;
}

const GATEWAY: readonly s.Component[] = [
  s.component(
    'ApprovalQueueRow',
    s.allOf(
      ref(viewSchemaName('approvals')),
      s.object(
        {},
        {
          conditions: replyShapes.conditions,
          kind: s.str,
          change: ref('WorkflowChangeRef'),
          patternChange: ref('PatternChangeRef'),
        },
        "a conditional approval's row lists its conditions; a workflow change's (`kind: workflow-change`, no work order) its diff; a pattern change's (`kind: pattern-change`) its `patternChange`",
      ),
    ),
  ),
  s.component('Principal', s.documents<Principal>()(s.object({ id: s.str, roles: s.array(s.oneOf(...ROLES)) }))),
  s.component(
    'SessionsEnded',
    s.object({ principal: s.str, ended: s.int }, {}, 'how many console sessions of the principal were live and ended'),
  ),
  s.component('Health', s.object({ status: s.oneOf('ok', 'error'), info: s.map(), error: s.map(), details: s.map() })),
];

/** A view's rows: its columns, each a string, number, boolean or null. */
function viewRows(): Record<string, Schema> {
  const cell: Schema = { type: ['string', 'number', 'boolean', 'null'] };
  const rows: Record<string, Schema> = {};
  for (const view of VIEW_NAMES) {
    const columns = viewColumns(view, 'version');
    rows[viewSchemaName(view)] = {
      type: 'object',
      properties: Object.fromEntries(columns.map((c) => [c, cell])),
      required: viewColumns(view),
    };
  }
  return rows;
}

/** The error statuses routes answer (500 is never documented: it is a defect, not a contract). */
export const ERROR_STATUSES = [400, 401, 403, 404, 409, 413, 415, 422, 429, 431, 503, 504] as const;
export type ErrorStatus = (typeof ERROR_STATUSES)[number];

export function codesOf(status: number): string[] {
  return Object.entries(ErrorCodes)
    .filter(([, status_]) => status_ === status)
    .map(([code]) => code);
}

/** The error body, and per status the codes of the catalog it can carry. */
function errors(): Record<string, Schema> {
  const schemas: Record<string, Schema> = {
    Error: s.object(
      {
        error: s.described(s.oneOf(...Object.keys(ErrorCodes)), 'a stable code of the catalog'),
        message: s.str,
      },
      { details: { type: 'array', description: 'what exactly: for validation, {path, message} per problem' } },
      'the one error body of the API',
    ),
  };
  for (const status of ERROR_STATUSES)
    schemas[`Error${status}`] = s.allOf(ref('Error'), s.object({ error: { enum: codesOf(status) } }));
  return schemas;
}

export function responseSchemas(): Record<string, Schema> {
  return { ...s.byName(REPLY_SCHEMAS), ...s.byName(GATEWAY), ...viewRows(), ...errors() };
}
