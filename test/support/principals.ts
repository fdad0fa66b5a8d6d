import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestRole = 'integrator' | 'operator' | 'approver' | 'analyst' | 'ops-lead' | 'admin';

/** A principals file with one principal per role set, and the plain keys to call with. */
export function writePrincipals(principals: Record<string, TestRole[]>): {
  path: string;
  keys: Record<string, string>;
} {
  const { text, keys } = principalsFile(principals);
  const dir = mkdtempSync(join(tmpdir(), 'wg-principals-'));
  const path = join(dir, 'principals.yaml');
  writeFileSync(path, text);
  return { path, keys };
}

/** The text of a principals file with one principal per role set (a random key each), and those keys. */
export function principalsFile(principals: Record<string, TestRole[]>): { text: string; keys: Record<string, string> } {
  const keys: Record<string, string> = {};
  const lines = [Object.keys(principals).length ? 'principals:' : 'principals: []'];
  for (const [id, roles] of Object.entries(principals)) {
    const key = `wg_test_${randomBytes(16).toString('hex')}`;
    keys[id] = key;
    lines.push(
      `  - { id: ${id}, roles: [${roles.join(', ')}], apiKeySha256: ${createHash('sha256').update(key).digest('hex')} }`,
    );
  }
  return { text: `${lines.join('\n')}\n`, keys };
}

/** An answer of the API: `body` is its JSON (undefined when it has none), typed as the caller names it. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** The JSON of an answer's text, or undefined when it is empty or not JSON. */
export function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The JSON of an answer, typed as the reply `T` the caller names (the one cast of the test client).
 * An answer that says it is JSON must parse as JSON (else this fails, quoting it); any other answer's
 * body is its JSON when it has some. The type is trusted because the API's answers are checked
 * against its published schemas, every route 2xx and 4xx (test/contract/openapi.e2e-spec.ts), and
 * each schema is checked at compile time against the contract type it documents (libs/contracts/schemas).
 */
function bodyOf<T>(res: Response, text: string): T {
  const type = res.headers.get('content-type') ?? '';
  const body = parseJson(text);
  if (body === undefined && text !== '' && /^application\/(problem\+)?json\b/.test(type))
    throw new Error(`a ${res.status} ${type} answer that is not JSON: ${text.slice(0, 200)}`);
  return body as T;
}

/**
 * fetch with a principal's key. `T` names the reply type the API documents for the route
 * (a contract type); without it the body is `unknown`, to narrow or to compare as a whole.
 */
export function client(baseUrl: string, key?: string) {
  return async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(key ? { Authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: bodyOf<T>(res, text), text, headers: res.headers };
  };
}

/** fetch with each principal's key: a caller per principal id. */
export function clientsFor(baseUrl: string, keys: Record<string, string>): Record<string, ReturnType<typeof client>> {
  return Object.fromEntries(Object.entries(keys).map(([id, key]) => [id, client(baseUrl, key)]));
}

/** Who holds each role, as docs/api.md's 403 message names them. */
const HOLDERS: Record<TestRole, string> = {
  integrator: 'integrators',
  operator: 'operators',
  approver: 'approvers',
  analyst: 'analysts',
  'ops-lead': 'ops leads',
  admin: 'admins',
};

/**
 * The 403 body's message for a principal `id` holding `has` at a route that `roles` may call
 * (docs/api.md, Conventions (auth)), as a pattern: who may ("approvers and ops leads"), what the route
 * does (any words), the principal's roles, and the remedy for an API key or for a signed-in `person`.
 */
export function roleRefusalPattern(
  roles: readonly TestRole[],
  id: string,
  has: readonly TestRole[],
  kind: 'key' | 'person' = 'key',
): RegExp {
  const listed = (words: readonly string[], last: string) =>
    words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1]}`;
  const held = has.length === 0 ? 'no role' : `the ${listed(has, 'and')} role${has.length > 1 ? 's' : ''}`;
  const wanted = `the ${listed(roles, 'or')} role`;
  const remedy =
    kind === 'key'
      ? `Your key (${id}) has ${held}: ask an admin to give it ${wanted}.`
      : `You (${id}) have ${held}: ask an admin to map one of your groups to ${wanted}.`;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^Only ${escape(
      listed(
        roles.map((role) => HOLDERS[role]),
        'and',
      ),
    )} can [^.]+\\. ${escape(remedy)}$`,
  );
}

/**
 * A support-recovery work order opened by `integrator` (externalRef `ref`), with the agent's
 * `case.note` on the helpdesk decided: the start both proof-package specs build on.
 */
export async function openNotedCase(
  integrator: ReturnType<typeof client>,
  agent: ReturnType<typeof client>,
  ref: string,
): Promise<{ id: string; note: { decision: string; receiptId: string } }> {
  const opened = await integrator<{ id: string }>('POST', '/v1/work-orders', {
    jobType: 'support-recovery',
    externalRef: ref,
    source: 'helpdesk',
    inputs: { caseId: ref, orderId: '1001', orderPaid: true },
  });
  const note = await agent<{ decision: string; receiptId: string }>(
    'POST',
    `/v1/work-orders/${opened.body.id}/actions`,
    {
      system: 'helpdesk',
      operation: 'case.note',
      kind: 'write',
    },
  );
  return { id: opened.body.id, note: note.body };
}
