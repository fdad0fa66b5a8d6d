import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { EdgeUnderTest, json, newKey, validStep } from './http-edge.fixtures';
import { loadPrincipals, sha256Hex } from './index';

describe('HTTP edge: principals, keys, roles and the rate limit', () => {
  const edge = new EdgeUnderTest();
  const { keys, get, post } = edge;
  beforeAll(() => edge.start());
  afterAll(() => edge.stop());

  describe('principals file', () => {
    it('loads principals and finds them only by the exact key', () => {
      expect(edge.directory.size).toBe(4);
      expect(edge.directory.byApiKey(keys.operator)).toEqual({ id: 'ops-1', roles: ['operator', 'approver'] });
      expect(edge.directory.byApiKey(keys.analyst)?.id).toBe('analyst-1');
      expect(edge.directory.byApiKey(`${keys.operator}x`)).toBeUndefined();
      expect(edge.directory.byApiKey(sha256Hex(keys.operator))).toBeUndefined();
      expect(edge.directory.byApiKey('')).toBeUndefined();
    });

    it('treats a missing file as no principals', () => {
      const none = loadPrincipals(join(edge.dir, 'does-not-exist.yaml'));
      expect(none.size).toBe(0);
      expect(none.byApiKey(keys.operator)).toBeUndefined();
    });

    it('lists every problem of an invalid file at once, naming the file', () => {
      const path = join(edge.dir, 'bad.yaml');
      const hash = sha256Hex(newKey());
      writeFileSync(
        path,
        [
          'principals:',
          '  - id: a',
          '    roles: [operator, superuser]',
          `    apiKeySha256: ${hash}`,
          '  - id: b',
          '    roles: [analyst]',
          `    apiKeySha256: ${hash.toUpperCase()}`,
          '  - id: a',
          '    roles: [admin]',
          `    apiKeySha256: ${sha256Hex(newKey())}`,
          '    password: hunter2',
          '  - id: c',
          '    roles: [admin]',
          `    apiKeySha256: ${hash}`,
          'extra: 1',
          '',
        ].join('\n'),
      );
      let error: Error | undefined;
      try {
        loadPrincipals(path);
      } catch (e) {
        error = e as Error;
      }
      expect(error).toBeDefined();
      const lines = error!.message.split('\n');
      expect(lines[0]).toBe(`invalid principals file ${path}:`);
      expect(lines.slice(1)).toEqual([
        '  - unknown key "extra" (expected "principals" and "oidc")',
        '  - principals[0].roles[1]: unknown role "superuser" (roles: integrator, operator, approver, analyst, ops-lead, admin)',
        '  - principals[1].apiKeySha256: must be the sha256 of the API key as 64 lowercase hex digits',
        '  - principals[2]: unknown key "password" (expected id, roles, apiKeySha256)',
        '  - principals[2].id: duplicate id "a" (also principals[0])',
        '  - principals[3].apiKeySha256: the same key hash as principals[0] (every principal needs its own key)',
      ]);
    });

    it('refuses a file that is not YAML or not a mapping', () => {
      const path = join(edge.dir, 'broken.yaml');
      writeFileSync(path, 'principals: [\n');
      expect(() => loadPrincipals(path)).toThrow(`invalid principals file ${path}:\n  - YAML:`);
      writeFileSync(path, '');
      expect(() => loadPrincipals(path)).toThrow(
        `invalid principals file ${path}:\n  - the file must be a mapping with a "principals" list`,
      );
      writeFileSync(path, 'principals: {}\n');
      expect(() => loadPrincipals(path)).toThrow('"principals" must be a list');
    });
  });

  describe('authentication and roles', () => {
    it('lets anyone call a @Public() route, and still names a principal that sent a key', async () => {
      const res = await get('/t/public');
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({ ok: true, principal: null });
      expect(await json(await get('/t/public', keys.analyst))).toEqual({ ok: true, principal: 'analyst-1' });
    });

    it('answers 401 unauthorized without a key and with an unknown key', async () => {
      const none = await get('/t/any');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="workgate"');
      expect(await json(none)).toEqual({
        error: 'unauthorized',
        message: 'an API key is required: send Authorization: Bearer <api key>',
      });

      const wrong = await get('/t/any', newKey());
      expect(wrong.status).toBe(401);
      expect(await json(wrong)).toEqual({ error: 'unauthorized', message: 'the API key is not known' });

      const basic = await fetch(`${edge.url}/t/any`, { headers: { authorization: `Basic ${keys.operator}` } });
      expect(basic.status).toBe(401);
      expect((await json(basic)).error).toBe('unauthorized');
    });

    it('lets any principal call a route without @Roles', async () => {
      const res = await get('/t/any', keys.analyst);
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({ principal: 'analyst-1' });
    });

    it('answers 403 forbidden when the principal lacks the role, 200 with it', async () => {
      const forbidden = await post('/t/steps', JSON.stringify(validStep), keys.analyst);
      expect(forbidden.status).toBe(403);
      expect(await json(forbidden)).toEqual({
        error: 'forbidden',
        message:
          'Only operators can use this route. Your key (analyst-1) has the analyst role: ask an admin to give it the operator role.',
      });

      const noKey = await post('/t/steps', JSON.stringify(validStep));
      expect(noKey.status).toBe(401);

      const ok = await post('/t/steps', JSON.stringify(validStep), keys.operator);
      expect(ok.status).toBe(200);
      // A valid body whose plain JSON stands in for its DTO is used as it is; one whose DTO gives a field a value is made an instance.
      expect(await json(ok)).toEqual({ principal: 'ops-1', isDto: false, nested: false, body: validStep });
      const defaulted = await post('/t/defaulted', JSON.stringify({ step: 'pay' }), keys.operator);
      expect(await json(defaulted)).toEqual({ isDto: true, body: { step: 'pay', queue: 'default' } });
    });
  });

  describe('rate limit', () => {
    const limited = new EdgeUnderTest(5);
    beforeAll(() => limited.start());
    afterAll(() => limited.stop());

    it('answers 429 rate_limited to the principal over its limit while another principal still gets 200', async () => {
      // The counts are kept per clock minute, the minute before weighed by how much of it lies in the
      // last 60 s (docs/api.md): six requests that straddle a minute's end are not six in one count.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
      for (let i = 0; i < 5; i++) {
        const res = await limited.get('/t/any', limited.keys.burst);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-ratelimit-remaining')).toBe(String(4 - i));
      }
      // The budget is per principal across routes, not per route.
      const over = await limited.get('/t/public', limited.keys.burst);
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = await json(over);
      expect(body.error).toBe('rate_limited');
      expect(body.message).toMatch(/^this principal sent more than 5 requests in 60 s; retry after \d+ s$/);

      const other = await limited.get('/t/any', limited.keys.other);
      expect(other.status).toBe(200);
      expect(await json(other)).toEqual({ principal: 'other-1' });

      // A route that is not counted (health probes) still answers the principal over its budget, without the headers.
      const probe = await limited.get('/t/probe', limited.keys.burst);
      expect(probe.status).toBe(200);
      expect(probe.headers.get('x-ratelimit-remaining')).toBeNull();
    });
  });
});
