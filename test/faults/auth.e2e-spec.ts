import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../../apps/gateway/http';
import { withinOneMinute } from '../support/rate-limit';
import { client, clientsFor, roleRefusalPattern, writePrincipals } from '../support/principals';
import { startTestWorkgate, TestWorkgate } from '../support/workgate';
import { declaredRoutes, DeclaredRoute, openApiRoutes, Role, ROLES, routeKey } from './http-routes';
import type { ApprovalView, WorkflowSummary } from '@workgate/contracts';
import type { ErrorBody } from '../support/answers';
import { errorCodeOf } from '../support/answers';
import { Call, documentedRoles, matrixRoleSets, PUBLIC_V1, REFUND, refundFor, send } from './auth-routes';

/**
 * The auth matrix of the HTTP edge: every /v1 route refuses a missing or unknown key (401) and
 * every role it does not list (403) before anything else runs; owners and requesters of
 * approvals are held apart; the rate limit counts per principal.
 */
describe('auth matrix', () => {
  const declared = declaredRoutes();
  const restricted = declared.filter((r): r is DeclaredRoute & { roles: readonly Role[] } => r.roles !== undefined);
  const roleSets = matrixRoleSets(restricted);
  const principals = writePrincipals(roleSets);
  let t: TestWorkgate;
  let as: Record<string, Call>;
  let anonymous: Call;
  let v1: Array<DeclaredRoute>;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
    anonymous = client(t.url);
    const byKey = new Map(declared.map((r) => [routeKey(r), r]));
    v1 = (await openApiRoutes(t.url))
      .filter((r) => r.path.startsWith('/v1/') && !PUBLIC_V1.includes(routeKey(r)))
      .map((r) => {
        const route = byKey.get(routeKey(r));
        if (!route) throw new Error(`${routeKey(r)} is in the OpenAPI document but no controller declares it`);
        return route;
      });
  });
  afterAll(() => t?.close());

  it('enumerates every route: the OpenAPI document lists each non-public controller route, all under /v1', () => {
    // Otherwise a route left out of the document would escape the whole matrix.
    const guarded = declared
      .filter((r) => !r.public)
      .map(routeKey)
      .sort();
    expect(v1.map(routeKey).sort()).toEqual(guarded);
    expect(guarded.length).toBeGreaterThan(40);
    expect(restricted.length).toBeGreaterThan(30);
  });

  it('takes the roles of every documented route from its @Roles, as docs/api.md lists them', () => {
    const docs = documentedRoles();
    const code = new Map(v1.map((r) => [`${r.method} ${r.path.replace(/\{[^}]+\}/g, '{}')}`, r.roles]));
    expect(docs.size).toBeGreaterThan(40);
    for (const [route, roles] of docs) {
      if (PUBLIC_V1.includes(route)) continue;
      expect({ route, roles: code.has(route) ? [...(code.get(route) ?? ['any'])].sort() : 'no such route' }).toEqual({
        route,
        roles: [...(roles ?? ['any'])].sort(),
      });
    }
  });

  it('answers 401 unauthorized with the error body to every /v1 route called without a key', async () => {
    for (const route of v1) {
      const res = await send(anonymous, route);
      expect({ route: routeKey(route), status: res.status, body: res.body }).toEqual({
        route: routeKey(route),
        status: 401,
        body: { error: 'unauthorized', message: 'an API key is required: send Authorization: Bearer <api key>' },
      });
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="workgate"');
    }
  });

  it('answers 401 to every /v1 route for an unknown key, the stored hash of a real key, or a key in another scheme', async () => {
    const real = principals.keys['only-admin'];
    const callers: Array<[string, Call]> = [
      ['unknown key', client(t.url, `wg_test_${randomUUID()}`)],
      // Only hashes are stored: presenting the hash itself must not authenticate.
      ['stored hash', client(t.url, sha256Hex(real))],
      ['Basic scheme', (method, path, body) => anonymous(method, path, body, { Authorization: `Basic ${real}` })],
      [
        'trailing junk',
        (method, path, body) => anonymous(method, path, body, { Authorization: `Bearer ${real} admin` }),
      ],
    ];
    for (const [what, call] of callers) {
      for (const route of v1) {
        const res = await send(call, route);
        expect({ what, route: routeKey(route), status: res.status, body: res.body }).toEqual({
          what,
          route: routeKey(route),
          status: 401,
          body: { error: 'unauthorized', message: expect.any(String) },
        });
      }
    }
  });

  it('answers 403 forbidden to every principal holding no role a route lists: one role at a time, and all the others at once', async () => {
    let refused = 0;
    for (const route of restricted.filter((r) => v1.some((v) => routeKey(v) === routeKey(r)))) {
      const outsiders = [
        ...ROLES.filter((role) => !route.roles.includes(role)).map((role) => `only-${role}`),
        `none-of-${route.roles.join('+')}`,
      ];
      for (const who of outsiders) {
        const res = await send(as[who], route);
        expect({ route: routeKey(route), who, status: res.status, body: res.body }).toEqual({
          route: routeKey(route),
          who,
          status: 403,
          body: {
            error: 'forbidden',
            message: expect.stringMatching(roleRefusalPattern(route.roles, who, roleSets[who])),
          },
        });
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(150);
  });

  it('lets every principal holding a listed role past the guard (so the 403s above are about roles)', async () => {
    for (const route of restricted) {
      for (const role of route.roles) {
        const res = await send(as[`only-${role}`], route);
        expect({
          route: routeKey(route),
          role,
          passed: res.status !== 401 && errorCodeOf(res.body) !== 'forbidden' && res.status < 500,
        }).toEqual({ route: routeKey(route), role, passed: true });
      }
    }
  });

  it("serves /health, /metrics, /docs, /docs-json, /, the dashboard's, the console's and their shared modules' files, the checkpoints' verifier key, the API's index and the icon without a key", async () => {
    for (const path of [
      '/health',
      '/metrics',
      '/docs',
      '/docs-json',
      '/',
      '/dashboard/dashboard.js',
      '/dashboard/dashboard.css',
      '/dashboard/chart.umd.min.js',
      '/console',
      '/console/console.js',
      '/console/console.css',
      '/shared/api.js',
      '/v1/ledger/key',
      '/v1',
      '/favicon.ico',
    ]) {
      const res = await anonymous('GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
    // The public routes the controllers declare are exactly these (plus the file routes of the dashboard, the console, the API reference and the pages' shared modules).
    expect(
      declared
        .filter((r) => r.public)
        .map(routeKey)
        .sort(),
    ).toEqual([
      'GET /',
      'GET /console',
      'GET /console/session',
      'GET /console/{file}',
      'GET /dashboard/{file}',
      'GET /docs',
      'GET /docs/{file}',
      'GET /favicon.ico',
      'GET /health',
      'GET /metrics',
      'GET /modules/*',
      'GET /shared/{file}',
      ...PUBLIC_V1,
    ]);
  });

  describe('approvals', () => {
    const refundWaiting = (requester: string, externalRef: string) => refundFor(as, requester, externalRef);
    const status = async (approvalId: string) =>
      (await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${approvalId}`)).body.status;

    it("answers 403 not_owner to an approver deciding, or closing a condition of, another owner's approval", async () => {
      const approvalId = await refundWaiting('helpdesk', 'AUTH-1');
      const decided = await as['other-approver']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'approve',
        permittedAction: REFUND,
      });
      expect(decided).toMatchObject({
        status: 403,
        body: { error: 'not_owner', message: expect.stringContaining('support-lead') },
      });
      expect(Object.keys(decided.body).sort()).toEqual(['error', 'message']);
      expect(await status(approvalId)).toBe('requested');

      const conditional = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'conditional',
        permittedAction: REFUND,
        conditions: ['refund under 50'],
      });
      expect(conditional).toMatchObject({ status: 200, body: { status: 'conditional' } });
      const close = (who: string) =>
        as[who]('POST', `/v1/approvals/${approvalId}/conditions/c1/close`, {
          evidence: { kind: 'check', ref: 'CHK-1' },
        });
      expect(await close('other-approver')).toMatchObject({ status: 403, body: { error: 'not_owner' } });
      expect(await status(approvalId)).toBe('conditional');
      expect(await close('support-lead')).toMatchObject({ status: 200, body: { status: 'approved' } });
    });

    it('answers 403 self_approval to the owner deciding a request it made itself', async () => {
      const approvalId = await refundWaiting('support-lead', 'AUTH-2');
      for (const decision of ['approve', 'reject'] as const) {
        const res = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
          decision,
          permittedAction: REFUND,
        });
        expect(res).toMatchObject({ status: 403, body: { error: 'self_approval', message: expect.any(String) } });
      }
      expect(await status(approvalId)).toBe('requested');
    });
  });

  it('rate limits per principal: 429 rate_limited with Retry-After over the budget, while another principal is still served', async () => {
    const limitedPrincipals = writePrincipals({ burst: ['analyst'], steady: ['analyst'] });
    // A second workgate in this process: in-process answers are one registry per process, so both
    // talk over NATS (each to its own server) while it runs; otherwise its services could reach the
    // first workgate's ledger before their own has taken the writer lock.
    const limited = await startTestWorkgate({
      env: {
        WORKGATE_PRINCIPALS: limitedPrincipals.path,
        WORKGATE_RATE_LIMIT_PER_MINUTE: '5',
        WORKGATE_LOCAL_ROUTES: 'off',
      },
    });
    try {
      // Every count below is exact only if it falls inside one minute (see withinOneMinute).
      await withinOneMinute(20_000);
      const burst = client(limited.url, limitedPrincipals.keys.burst);
      const steady = client(limited.url, limitedPrincipals.keys.steady);
      for (let i = 0; i < 5; i++)
        expect((await burst('GET', i % 2 ? '/v1/workflows' : '/v1/exception-codes')).status).toBe(200);
      // One budget per principal across routes: the sixth request is refused on any route.
      for (const path of ['/v1/workflows', '/v1/exception-codes', '/v1/views/stall-rates']) {
        const over = await burst<ErrorBody>('GET', path);
        expect(over).toMatchObject({
          status: 429,
          body: {
            error: 'rate_limited',
            message: expect.stringMatching(/^this principal sent more than 5 requests in 60 s/),
          },
        });
        expect(Object.keys(over.body).sort()).toEqual(['error', 'message']);
        expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const served = await steady<WorkflowSummary[]>('GET', '/v1/workflows');
      expect(served.status).toBe(200);
      expect(served.body.map((w: { jobType: string }) => w.jobType)).toContain('support-recovery');

      // Wrong keys from one address share that address's budget, and never the probes': /health,
      // /metrics and the dashboard answer whatever the address sent before.
      const guesser = client(limited.url, 'not-a-key');
      const guesses = [];
      for (let i = 0; i < 8; i++) guesses.push((await guesser('GET', '/v1/workflows')).status);
      expect(guesses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      const anonymous = client(limited.url);
      for (let i = 0; i < 8; i++) {
        for (const path of ['/health', '/metrics', '/'])
          expect([path, (await anonymous('GET', path)).status]).toEqual([path, 200]);
      }
    } finally {
      await limited.close();
    }
  });
});
