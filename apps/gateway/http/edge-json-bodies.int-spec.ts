import { bodyProblems } from './index';
import { EdgeUnderTest, json, validStep } from './http-edge.fixtures';

describe('HTTP edge: JSON bodies', () => {
  const edge = new EdgeUnderTest();
  const { keys, post } = edge;
  beforeAll(() => edge.start());
  afterAll(() => edge.stop());

  it('parses application/cloudevents+json and other +json types', async () => {
    for (const type of [
      'application/cloudevents+json',
      'application/vnd.workgate+json',
      'application/json; charset=utf-8',
    ]) {
      const res = await post('/t/steps', JSON.stringify(validStep), keys.operator, type);
      expect(res.status).toBe(200);
    }
  });

  it('answers 400 malformed_json for a body that is not JSON', async () => {
    const res = await post('/t/steps', '{"step": "pay",', keys.operator);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error).toBe('malformed_json');
    expect(body.message).toMatch(/^the request body is not valid JSON: /);
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);

    const scalar = await post('/t/steps', '"just a string"', keys.operator);
    expect(scalar.status).toBe(400);
    expect((await json(scalar)).error).toBe('malformed_json');
  });

  it('answers 415 unsupported_media_type for a JSON body in an unsupported charset', async () => {
    const res = await post('/t/steps', JSON.stringify(validStep), keys.operator, 'application/json; charset=latin1');
    expect(res.status).toBe(415);
    expect(await json(res)).toEqual({ error: 'unsupported_media_type', message: 'unsupported charset "LATIN1"' });
  });

  it('answers 422 validation_failed with the path of every problem', async () => {
    const res = await post(
      '/t/steps',
      JSON.stringify({
        step: 5,
        inputs: { orderPaid: 'yes', extra: 1 },
        evidence: [{ kind: 'receipt' }, { kind: 3, x: true }],
        bogus: true,
      }),
      keys.operator,
    );
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error).toBe('validation_failed');
    expect(body.message).toBe('bogus: unknown key "bogus" (and 5 more)');
    expect(body.details).toHaveLength(6);
    expect(body.details).toEqual(
      expect.arrayContaining([
        { path: 'step', message: 'step must be a string' },
        { path: 'bogus', message: 'unknown key "bogus"' },
        { path: 'inputs.orderPaid', message: 'orderPaid must be a boolean value' },
        { path: 'inputs.extra', message: 'unknown key "extra"' },
        { path: 'evidence[1].kind', message: 'kind must be a string' },
        { path: 'evidence[1].x', message: 'unknown key "x"' },
      ]),
    );
  });

  it('answers 422 for a missing body and for a non-object where a nested object belongs', async () => {
    const empty = await fetch(`${edge.url}/t/steps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.operator}` },
    });
    expect(empty.status).toBe(422);
    expect((await json(empty)).details).toEqual(
      expect.arrayContaining([{ path: 'step', message: 'step must be a string' }]),
    );

    const wrong = await post('/t/steps', JSON.stringify({ ...validStep, inputs: 'x', evidence: {} }), keys.operator);
    expect(wrong.status).toBe(422);
    const body = await json(wrong);
    expect(body.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['inputs', 'evidence']));
  });

  it('refuses invalid UTF-8 (never read as U+FFFD), U+0000, unpaired surrogates, numbers it would round, and too many keys, naming where', async () => {
    const invalid = await fetch(`${edge.url}/t/steps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.operator}` },
      body: Buffer.concat([
        Buffer.from('{"step":"p'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('ay","inputs":{},"evidence":[]}'),
      ]),
    });
    expect(invalid.status).toBe(400);
    expect(await json(invalid)).toMatchObject({ error: 'malformed_json', message: 'the body is not valid UTF-8' });
    const cases: Array<[string, string, string]> = [
      ['{"step":"p\\u0000ay","inputs":{},"evidence":[]}', 'step', 'U+0000'],
      ['{"step":"pay","inputs":{"n":"\\ud800"},"evidence":[]}', 'inputs.n', 'unpaired surrogate'],
      ['{"step":"pay","inputs":{"n":12345678901234567890},"evidence":[]}', 'inputs.n', 'cannot be kept exactly'],
      ['{"step":"pay","inputs":{"n":1e999999},"evidence":[]}', 'inputs.n', 'cannot be kept exactly'],
      [
        JSON.stringify({
          step: 'pay',
          inputs: Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i])),
          evidence: [],
        }),
        'inputs',
        'more than 1000',
      ],
    ];
    for (const [body, path, message] of cases) {
      const res = await post('/t/steps', body, keys.operator);
      const answer = await json(res);
      expect({ path, status: res.status, error: answer.error }).toEqual({
        path,
        status: 422,
        error: 'validation_failed',
      });
      expect(answer.details).toEqual([{ path, message: expect.stringContaining(message) }]);
    }
  });

  it('refuses __proto__, constructor and prototype keys at any depth, and Object.prototype stays clean', async () => {
    const proto = await post('/t/steps', '{"__proto__": {"polluted": 1}}', keys.operator);
    expect(proto.status).toBe(422);
    expect(await json(proto)).toEqual({
      error: 'validation_failed',
      message: '__proto__: key "__proto__" is not allowed',
      details: [{ path: '__proto__', message: 'key "__proto__" is not allowed' }],
    });

    const ctor = await post('/t/steps', '{"a": {"constructor": {"prototype": {"polluted": 1}}}}', keys.operator);
    expect(ctor.status).toBe(422);
    expect((await json(ctor)).details).toEqual([
      { path: 'a.constructor', message: 'key "constructor" is not allowed' },
    ]);

    const deep = await post(
      '/t/steps',
      JSON.stringify({ ...validStep, evidence: [{ kind: 'k', meta: { prototype: 1 } }] }),
      keys.operator,
    );
    expect(deep.status).toBe(422);
    expect((await json(deep)).details).toEqual([
      { path: 'evidence[0].meta.prototype', message: 'key "prototype" is not allowed' },
    ]);

    expect(Reflect.get({}, 'polluted')).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  it('refuses a body nested too deep with 422, not a crash', async () => {
    // 500,000 levels: just under 1 MiB.
    const res = await post('/t/steps', '['.repeat(500_000) + ']'.repeat(500_000), keys.operator);
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error).toBe('validation_failed');
    expect(body.message).toBe('body: is nested deeper than 64 levels');
    expect(body.details).toEqual([{ path: '[0]'.repeat(64), message: 'is nested deeper than 64 levels' }]);
    expect(bodyProblems(JSON.parse('['.repeat(100) + ']'.repeat(100)))).toEqual([
      { path: '[0]'.repeat(64), message: 'is nested deeper than 64 levels' },
    ]);
  });
});
