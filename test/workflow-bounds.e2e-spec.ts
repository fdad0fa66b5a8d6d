import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Subjects } from '@workgate/contracts';
import { client, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { PublishWorkflowResult } from '@workgate/contracts';
import type { ErrorBody } from './support/answers';

const WORKFLOWS = join(__dirname, '..', 'workflows');

/** A definition of `steps` steps (and `rules` rules), the shape of the shipped support-recovery. */
function definition(jobType: string, steps: number, rules = 0, version = 1) {
  return {
    jobType,
    version,
    title: 'Bounded',
    owner: 'support-lead',
    systems: [{ name: 'shop', read: true, write: ['order.note'] }],
    rules: Array.from({ length: rules }, (_, i) => ({ id: `rule-${i}`, when: `facts.n == ${i}`, decision: 'run' })),
    steps: Array.from({ length: steps }, (_, i) => ({ id: `step-${i}`, title: `Inspect the case, part ${i}` })),
  };
}

/**
 * Sends only the headers of a request whose Content-Length says `length`, and waits for an answer
 * without sending the body: a route whose limit is below `length` answers at once.
 */
function headersOnly(
  url: string,
  path: string,
  key: string,
  length: number,
): Promise<{ status: number; body: unknown } | 'no answer'> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${key}`,
          'Content-Type': 'application/yaml',
          'Content-Length': String(length),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    // Long enough for any answer that does not wait for the body; the old behaviour waited for it.
    const wait = setTimeout(() => {
      req.destroy();
      resolve('no answer');
    }, 10_000);
    req.on('close', () => clearTimeout(wait));
    req.flushHeaders();
  });
}

/** docs/policy.md, The definition: definitions are bounded — at most 256 KiB (413 beyond), 200 steps and 500 rules (422 beyond). */
describe('definitions are bounded', () => {
  const principals = writePrincipals({ admin: ['admin'], analyst: ['analyst'] });
  const dir = mkdtempSync(join(tmpdir(), 'wg-bounds-'));
  let t: TestWorkgate;
  let admin: ReturnType<typeof client>;
  // The 1 MB definition of the report: 15,616 steps.
  const huge = definition('huge-steps', 15_616);
  const hugeYaml = stringify(huge);

  beforeAll(async () => {
    // Loaded at start: one shipped workflow, and a file past 256 KiB beside it.
    copyFileSync(join(WORKFLOWS, 'support-recovery.yaml'), join(dir, 'support-recovery.yaml'));
    writeFileSync(join(dir, 'huge-file.yaml'), stringify(definition('huge-file', 6_000)));
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path, WORKGATE_WORKFLOWS_DIR: dir } });
    admin = client(t.url, principals.keys.admin);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the test definition is what the report saw: about 1 MB of YAML', () => {
    expect(Buffer.byteLength(hugeYaml)).toBeGreaterThan(850_000);
    expect(Buffer.byteLength(hugeYaml)).toBeLessThan(1024 * 1024);
  });

  it('refuses a 1 MB YAML definition with 413, naming the limit', async () => {
    const res = await admin<PublishWorkflowResult>('POST', '/v1/workflows', hugeYaml, {
      'Content-Type': 'application/yaml',
    });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 413,
      body: { error: 'payload_too_large', message: 'the request body is larger than 262144 bytes (256 KiB)' },
    });
    expect((await admin('GET', '/v1/workflows/huge-steps')).status).toBe(404);
  });

  it('answers 413 from the Content-Length, before the body is sent', async () => {
    expect(await headersOnly(t.url, '/v1/workflows', principals.keys.admin, 1_000_000)).toEqual({
      status: 413,
      body: { error: 'payload_too_large', message: 'the request body is larger than 262144 bytes (256 KiB)' },
    });
  });

  it('refuses a JSON {definition} over 256 KiB, and a simulated draft over 256 KiB, with 413', async () => {
    const big = definition('support-recovery', 5_000);
    expect((await admin('POST', '/v1/workflows', { definition: big })).status).toBe(413);
    const simulated = await client(t.url, principals.keys.analyst)<ErrorBody>(
      'POST',
      '/v1/workflows/support-recovery/simulate',
      {
        definition: big,
      },
    );
    expect({ status: simulated.status, error: simulated.body.error }).toEqual({
      status: 413,
      error: 'payload_too_large',
    });
  });

  it('refuses 201 steps and 501 rules with 422, naming the count and the limit', async () => {
    const steps = await admin<ErrorBody>('POST', '/v1/workflows', definition('many-steps', 201));
    expect({ status: steps.status, error: steps.body.error, details: steps.body.details }).toEqual({
      status: 422,
      error: 'invalid_definition',
      details: [{ path: 'steps', message: 'holds 201 steps: a definition has at most 200 steps' }],
    });
    const rules = await admin<ErrorBody>('POST', '/v1/workflows', definition('many-rules', 3, 501));
    expect({ status: rules.status, details: rules.body.details }).toEqual({
      status: 422,
      details: [{ path: 'rules', message: 'holds 501 rules: a definition has at most 500 rules' }],
    });
    const draft = await client(t.url, principals.keys.analyst)<ErrorBody>(
      'POST',
      '/v1/workflows/support-recovery/simulate',
      {
        definition: definition('support-recovery', 201, 0, 2),
      },
    );
    expect({ status: draft.status, details: draft.body.details }).toEqual({
      status: 422,
      details: [{ path: 'steps', message: 'holds 201 steps: a definition has at most 200 steps' }],
    });
  });

  it('publishes 200 steps and 500 rules', async () => {
    expect((await admin('POST', '/v1/workflows', definition('full-steps', 200, 500))).status).toBe(201);
  });

  it('refuses a definition over 256 KiB that comes over NATS, and a file at start, without publishing either', async () => {
    await expect(
      t.rpc.request(Subjects.policy.publish, { definition: definition('over-nats', 5_000), actor: 'test' }),
    ).rejects.toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(
        /^the definition is [\d,]+ bytes: a definition is at most 262,144 bytes \(256 KiB\)$/,
      ),
    });
    expect((await admin('GET', '/v1/workflows/over-nats')).status).toBe(404);
    // The file beside it was published; this one was refused at start.
    expect((await admin('GET', '/v1/workflows/support-recovery')).status).toBe(200);
    expect((await admin('GET', '/v1/workflows/huge-file')).status).toBe(404);
  });
});
