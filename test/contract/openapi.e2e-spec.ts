import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { client, writePrincipals } from '../support/principals';
import { sharedTestWorkgate } from '../support/shared-workgate';
import { startTestWorkgate, TestWorkgate } from '../support/workgate';
import { walkTheMorning } from '../support/openapi-walk';
import { Answer, Call, walkTheDay } from '../support/openapi-walk-day';
import { walkThePatterns } from '../support/openapi-walk-patterns';
import { arrayOf, checked, isString, shaped } from '../support/guards';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** The POSTs whose body is a question: they record nothing. */
const READS_BY_POST = [
  'post /v1/workflows/{jobType}/simulate',
  'post /v1/workflows/{jobType}/drafts/{draftId}/simulate',
  'post /v1/ledger/verify',
];

/**
 * The OpenAPI document is the contract: it lints clean with Redocly, and every operation in it,
 * called for real, answers (2xx and 4xx alike) with a status the document lists and a body its
 * schema accepts.
 */
describe('the OpenAPI document', () => {
  let t: TestWorkgate;
  let doc: OpenAPIObject;
  const answers: Answer[] = [];
  const principals = writePrincipals({
    admin: ['admin'],
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver'],
    'engagement-lead': ['approver'],
    analyst: ['analyst'],
    lead: ['ops-lead'],
    bot: ['operator'],
  });
  let as: Record<string, Call>;

  beforeAll(async () => {
    // Webhooks may go to loopback here: their deliveries go to a closed local port and fail at once.
    // From the sources (through jest, as no build step rewrites them): the shared workgate runs dist/,
    // and the document it serves must be this one, word for word.
    t = await startTestWorkgate({
      env: {
        WORKGATE_PRINCIPALS: principals.path,
        WORKGATE_RATE_LIMIT_PER_MINUTE: '100000',
        WORKGATE_WEBHOOK_ALLOW_PRIVATE: '1',
      },
      sources: true,
    });
    const recorded = (key?: string) => {
      const call = client(t.url, key);
      return async <T>(
        method: string,
        path: string,
        body?: unknown,
        headers?: Record<string, string>,
      ): Promise<Answer<T>> => {
        const res = await call<T>(method, path, body, headers);
        const contentType = (res.headers.get('content-type') ?? '').split(';')[0];
        const answer = {
          method: method.toLowerCase(),
          path,
          status: res.status,
          contentType,
          text: res.text,
          body: res.body,
          position: res.headers.get('workgate-position'),
          link: res.headers.get('link'),
        };
        answers.push(answer);
        return answer;
      };
    };
    as = {
      anonymous: recorded(),
      ...Object.fromEntries(Object.entries(principals.keys).map(([id, key]) => [id, recorded(key)])),
    };
    doc = await (await fetch(`${t.url}/docs-json`)).json();
  });
  afterAll(() => t?.close());

  it('lints with Redocly with zero errors', async () => {
    const run = await lint(doc);
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{')));
    const problems = checked(
      report.problems,
      arrayOf(shaped({ severity: isString, ruleId: isString, message: isString })),
      "redocly's problems",
    ).map((p) => `${p.severity} ${p.ruleId}: ${p.message}`);
    expect(problems.filter((p) => p.startsWith('error'))).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('is OpenAPI 3.1 with a bearer API key (not a JWT) and a summary on every operation', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components?.securitySchemes).toEqual({
      apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(JSON.stringify(doc)).not.toContain('JWT');
    const missing = operations(doc)
      .filter(({ operation }) => !operation.summary)
      .map(({ method, path }) => `${method} ${path}`);
    expect(missing).toEqual([]);
  });

  it("bounds a list by its number of items, never by a string's length (docs/api.md)", () => {
    // A string bound on a list schema is one no validation enforces: the rule holds for each item.
    const misbounded: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const schema: Record<string, unknown> = { ...node };
      if (schema.type === 'array' && ('maxLength' in schema || 'minLength' in schema)) misbounded.push(at);
      for (const [key, value] of Object.entries(schema)) walk(value, `${at}/${key}`);
    };
    walk(doc.components?.schemas, '#/components/schemas');
    expect(misbounded).toEqual([]);
  });

  it('is the document the built workgate serves (npm run build), word for word', async () => {
    // This file's workgate runs the sources; the shared one runs dist/, as `npm start` does.
    const built = await sharedTestWorkgate();
    try {
      expect(await (await fetch(`${built.url}/docs-json`)).json()).toEqual(doc);
    } finally {
      await built.close();
    }
  });

  it('answers every operation as documented, 2xx and 4xx', async () => {
    await walkTheDay(as, await walkTheMorning(as));
    await walkThePatterns(as);
    expect(t.url).toBeTruthy();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...doc, $id: 'openapi.json' });
    const templates = operations(doc);
    const problems: string[] = [];
    const seen = new Map<string, Set<string>>();
    const writes = new Set<string>();
    for (const answer of answers) {
      const pathOnly = answer.path.split('?')[0];
      const op = templates.find((o) => o.method === answer.method && o.pattern.test(pathOnly));
      if (!op) {
        problems.push(`${answer.method} ${pathOnly}: not in the document`);
        continue;
      }
      const key = `${op.method} ${op.path}`;
      seen.set(key, (seen.get(key) ?? new Set()).add(String(answer.status)[0]));
      const response = op.operation.responses[String(answer.status)];
      if (!response) {
        problems.push(
          `${key} answered ${answer.status} (${answer.text.slice(0, 120)}), which the document does not list`,
        );
        continue;
      }
      if ('$ref' in response) {
        problems.push(`${key} ${answer.status}: the response is a $ref, which this check does not follow`);
        continue;
      }
      // Every write that succeeds names the ledger position of its commit (docs/api.md, Conventions (read your writes)), as its
      // document says; the webhooks' and the sessions' writes are outside the ledger (0); POSTs that only read, none.
      if (answer.status < 300 && answer.method !== 'get') {
        if (READS_BY_POST.includes(key)) {
          if (answer.position !== null || response.headers?.['Workgate-Position'])
            problems.push(`${key} ${answer.status}: a read answered or documents a Workgate-Position`);
        } else {
          if (!response.headers?.['Workgate-Position'])
            problems.push(`${key} ${answer.status}: the document names no Workgate-Position for this write`);
          const outsideLedger = op.path.startsWith('/v1/webhooks') || op.path.endsWith('/sessions');
          if (!(outsideLedger ? /^0$/ : /^[1-9]\d*$/).test(answer.position ?? ''))
            problems.push(`${key} ${answer.status}: answered Workgate-Position ${answer.position}`);
          writes.add(key);
        }
      }
      const content = response.content ?? {};
      if (answer.text === '' && Object.keys(content).length === 0) continue;
      const media = content[answer.contentType];
      if (!media) {
        problems.push(
          `${key} ${answer.status} answered ${answer.contentType}, the document lists ${Object.keys(content).join(', ') || 'no body'}`,
        );
        continue;
      }
      if (answer.contentType !== 'application/json') continue;
      const at = `openapi.json#/paths/${pointer(op.path)}/${op.method}/responses/${answer.status}/content/${pointer(answer.contentType)}/schema`;
      const validate = ajv.getSchema(at) ?? ajv.compile({ $ref: at });
      if (!validate(answer.body))
        problems.push(
          `${key} ${answer.status}: ${ajv.errorsText(validate.errors, { separator: '; ' })} in ${answer.text.slice(0, 200)}`,
        );
    }
    for (const { method, path } of templates) {
      const classes = seen.get(`${method} ${path}`) ?? new Set();
      if (!classes.has('2')) problems.push(`${method} ${path}: no 2xx answer was checked`);
      if (!classes.has('4')) problems.push(`${method} ${path}: no 4xx answer was checked`);
    }
    expect(problems).toEqual([]);
    // Every operation but GET and the reads by POST is a write, and each was checked above.
    expect([...writes].sort()).toEqual(
      templates
        .map((o) => `${o.method} ${o.path}`)
        .filter((k) => !k.startsWith('get ') && !READS_BY_POST.includes(k))
        .sort(),
    );
    expect(answers.length).toBeGreaterThan(2 * templates.length);
  });
});

function pointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function operations(
  doc: OpenAPIObject,
): Array<{ method: string; path: string; pattern: RegExp; operation: OperationObject }> {
  const found = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      found.push({ method, path, pattern, operation, params: (path.match(/\{/g) ?? []).length });
    }
  }
  // Literal segments before parameters: /v1/workflows/{jobType}/simulate is not /v1/workflows/{jobType}.
  return found.sort((a, b) => a.params - b.params);
}

/** Redocly's lint of `doc` (its report is on stdout whether it finds errors or not). */
function lint(doc: OpenAPIObject): Promise<{ stdout: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'wg-openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const cli = require.resolve('@redocly/cli/bin/cli.js');
  // Exits non-zero when it finds errors: the report is on stdout either way.
  return promisify(execFile)(
    process.execPath,
    [cli, 'lint', file, '--format=json', `--config=${join(__dirname, '..', '..', 'redocly.yaml')}`],
    {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  ).catch((e: { stdout: string }) => e);
}
