import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { DeclaredRoute, declaredRoutes, fillPath, Route, routeKey } from './http-routes';
import type { FieldProblem } from '@workgate/contracts';
import { errorCodeOf, fieldProblemsOf, reasonsOf } from '../support/answers';
import type { ErrorBody } from '../support/answers';
import { arrayOf, checked, isString, optional, shaped } from '../support/guards';
import {
  FIELD_NAMES,
  FORBIDDEN,
  RUNS_PER_ROUTE,
  RUNS_PER_WRITE,
  SEED,
  anyTree,
  cleanTree,
  detailPath,
  jsonText,
  positions,
  refusedKey,
  unknownKey,
} from './fuzz-json';
import { Body, bodies, junkParam, pollution, queryString } from './fuzz-requests';
import { BODILESS, DRAFTS, FUZZ_FLOW, isFree } from './fuzz-bodies';
import {
  before,
  check,
  ids,
  nothing,
  routeOf,
  routes,
  send,
  typeOf,
  useFuzzWorkgate,
  valid,
  valuesOf,
} from './fuzz-workgate';

/**
 * Fuzzes every HTTP route of a running workgate (all services in this process, so a polluted
 * prototype would show here): path parameters (real ids and junk), query strings and bodies.
 * No answer is a 5xx, no prototype changes, an unknown or prototype key anywhere in a valid body
 * is refused with 422, and a body over 1 MiB gets 413.
 */
describe('HTTP fuzzing', () => {
  useFuzzWorkgate();

  it('enumerates the routes from the OpenAPI document, with a real value for every path parameter', () => {
    expect(routes.length).toBeGreaterThan(45);
    for (const route of routes)
      for (const param of route.params) expect(valuesOf(route, param).length).toBeGreaterThan(0);
    // Every write route with a body has a valid one here, so the refusals below are about the edit.
    expect(
      routes
        .filter((r) => (r.method === 'POST' || r.method === 'PUT') && !BODILESS.includes(routeKey(r)))
        .map(routeKey)
        .sort(),
    ).toEqual(Object.keys(valid).sort());
  });

  it('answers every fuzzed path, query and body of every route with a 2xx or a 4xx in the error body, and leaves the prototypes alone', async () => {
    for (const [i, route] of routes.entries()) {
      const params = fc.record(
        Object.fromEntries(
          route.params.map((p) => [
            p,
            fc.oneof(
              { weight: 3, arbitrary: fc.constantFrom(...valuesOf(route, p)) },
              { weight: 2, arbitrary: junkParam },
            ),
          ]),
        ),
      );
      const body =
        route.method === 'POST' || route.method === 'PUT'
          ? bodies(
              valid[routeKey(route)],
              route.path === '/v1/events' ? 'application/cloudevents+json' : 'application/json',
            )
          : fc.constant<Body>({});
      await fc.assert(
        fc.asyncProperty(params, queryString, body, async (values, query, b) => {
          const path = `${fillPath(route.path, values)}${query}`;
          check(
            `${route.method} ${path} ${b.type ?? ''} ${(b.text ?? '').slice(0, 200)}`,
            await send(route.method, path, b),
          );
        }),
        { seed: SEED + i, numRuns: RUNS_PER_ROUTE },
      );
    }
  });

  it('answers a valid body with any one entry left out, on every combination of real ids, with a 2xx or a 4xx', async () => {
    // Exhaustive rather than sampled: a required object that validation lets through missing
    // reaches the domain only on a real work order at the right stage.
    const combos = (route: Route): Record<string, string>[] =>
      route.params.reduce<Record<string, string>[]>(
        (acc, p) => acc.flatMap((c) => valuesOf(route, p).map((v) => ({ ...c, [p]: v }))),
        [{}],
      );
    for (const [key, body] of Object.entries(valid)) {
      const route = routeOf(key);
      for (const at of positions(body).filter((p) => typeof p[p.length - 1] === 'string')) {
        for (const values of combos(route)) {
          const text = jsonText(body, { at });
          check(
            `${key} ${JSON.stringify(values)} ${text}`,
            await send(route.method, fillPath(route.path, values), { text, type: typeOf(key) }),
          );
        }
      }
    }
  });

  it('refuses a __proto__, constructor or prototype key at any depth of a valid body, sent as a real own key, with 422 naming its path', async () => {
    let i = 0;
    for (const [key, body] of Object.entries(valid)) {
      const route = routeOf(key);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...positions(body, true)),
          fc.constantFrom(...FORBIDDEN),
          anyTree.object,
          async (at, forbidden, node) => {
            const text = jsonText(body, { at, key: forbidden, text: node });
            const res = await send<ErrorBody>(route.method, fillPath(route.path, nothing(route)), {
              text,
              type: typeOf(key),
            });
            check(`${key} ${text.slice(0, 200)}`, res);
            if (key === 'POST /v1/events') {
              // A CloudEvent is refused, and kept as a rejection, with the reason naming the path.
              expect({ key, status: res.status, error: res.body.error }).toEqual({
                key,
                status: 422,
                error: 'invalid_event',
              });
              expect(reasonsOf(res.body.details?.[0])).toContain(
                `${detailPath([...at, forbidden])}: key "${forbidden}" is not allowed`,
              );
              return;
            }
            expect({ key, status: res.status, error: res.body.error }).toEqual({
              key,
              status: 422,
              error: 'validation_failed',
            });
            expect(res.body.details).toContainEqual({
              path: detailPath([...at, forbidden]),
              message: `key "${forbidden}" is not allowed`,
            });
          },
        ),
        { seed: SEED + i++, numRuns: RUNS_PER_WRITE },
      );
    }
  });

  it('refuses an unknown key added at any depth of a valid body with 422 naming it', async () => {
    let i = 0;
    for (const [key, body] of Object.entries(valid)) {
      const route = routeOf(key);
      const path = () => fillPath(route.path, nothing(route));
      // The fuzzing saved broken revisions of the draft: the draft simulated is made valid again first.
      if (key === 'POST /v1/workflows/{jobType}/drafts/{draftId}/simulate') {
        const valid = jsonText({ definition: { ...FUZZ_FLOW, jobType: 'support-recovery' } });
        const restored = await send('PUT', `/v1/workflows/support-recovery/drafts/${ids.draftId[0]}`, {
          text: valid,
          type: 'application/json',
        });
        expect(restored.status).toBe(200);
      }
      // The body as it is passes validation, so a refusal below is the added key's doing.
      const baseline = await send(route.method, path(), { text: jsonText(body), type: typeOf(key) });
      expect({
        key,
        status: baseline.status < 500,
        error: ['validation_failed', 'invalid_definition', 'invalid_event'].includes(errorCodeOf(baseline.body) ?? ''),
      }).toEqual({ key, status: true, error: false });
      const known = new Set(
        positions(body)
          .flatMap((at) => at.filter((s): s is string => typeof s === 'string'))
          .concat(FIELD_NAMES, 'sha256'),
      );
      const places = positions(body, true).filter((at) => !isFree(key, at));
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...places), unknownKey(known), cleanTree.node, async (at, extra, node) => {
          const text = jsonText(body, { at, key: extra, text: node });
          const res = await send<ErrorBody>(route.method, path(), { text, type: typeOf(key) });
          check(`${key} ${text.slice(0, 200)}`, res);
          const byName = extra in Object.prototype;
          const inside = detailPath([...at.slice(1), extra]);
          // A draft is kept with its problems: the key is one of them, at its path.
          if (DRAFTS.includes(key) && at[0] === 'definition' && !byName) {
            const kept = checked(
              res.body,
              shaped({ problems: optional(arrayOf(shaped({ path: isString, message: isString }))) }),
              'the kept draft',
            );
            expect({ key, status: res.status < 300 }).toEqual({ key, status: true });
            expect(
              (kept.problems ?? []).filter((p) => p.path === inside && refusedKey(extra).includes(p.message)),
            ).toHaveLength(1);
            return;
          }
          // A workflow definition is checked by the policy service, a CloudEvent by intake: their own
          // codes, paths inside. Keys refused by name never get that far: the gateway refuses them.
          const [error, where, problems]: [string, string, FieldProblem[]] =
            at[0] === 'definition' && !byName
              ? ['invalid_definition', inside, fieldProblemsOf(res.body.details)]
              : key === 'POST /v1/events'
                ? [
                    'invalid_event',
                    byName ? detailPath([...at, extra]) : inside ? `data.${inside}` : 'data',
                    (res.body.details ?? [])
                      .flatMap((o) => reasonsOf(o) ?? [])
                      .map((r) => ({
                        path: r.slice(0, r.indexOf(': ')),
                        message: r.slice(r.indexOf(': ') + 2),
                      })),
                  ]
                : ['validation_failed', detailPath([...at, extra]), fieldProblemsOf(res.body.details)];
          expect({ key, status: res.status, error: res.body.error }).toEqual({ key, status: 422, error });
          const named = problems.filter((p) => p.path === where && refusedKey(extra).includes(p.message));
          expect({ key, text: text.slice(0, 300), named: named.length }).toEqual({
            key,
            text: text.slice(0, 300),
            named: 1,
          });
        }),
        { seed: SEED + i++, numRuns: RUNS_PER_WRITE },
      );
    }
  });

  it('refuses an unknown query key with 422 naming it on every route that takes a query', async () => {
    const withQuery = declaredRoutes().filter(
      (r): r is DeclaredRoute & { query: new () => object } => r.query !== undefined,
    );
    expect(withQuery.length).toBeGreaterThan(10);
    let i = 0;
    for (const route of withQuery) {
      const known = new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(route.query, '', true, false)
          .map((m) => m.propertyName),
      );
      expect(known.size).toBeGreaterThan(0);
      const path = fillPath(route.path, Object.fromEntries(route.params.map((p) => [p, valuesOf(route, p)[0]])));
      expect({ route: routeKey(route), status: (await send('GET', path)).status }).toEqual({
        route: routeKey(route),
        status: 200,
      });
      await fc.assert(
        fc.asyncProperty(
          unknownKey(new Set([...known, ...FORBIDDEN])).filter((k) => k !== ''),
          fc.string({ maxLength: 10 }),
          async (extra, value) => {
            const res = await send<ErrorBody>(
              'GET',
              `${path}?${encodeURIComponent(extra)}=${encodeURIComponent(value)}`,
            );
            check(`${routeKey(route)} ?${extra}=${value}`, res);
            expect({ route: routeKey(route), extra, status: res.status, error: res.body.error }).toEqual({
              route: routeKey(route),
              extra,
              status: 422,
              error: 'validation_failed',
            });
            expect(
              fieldProblemsOf(res.body.details).filter(
                (p) => p.path === detailPath([extra]) && refusedKey(extra).includes(p.message),
              ),
            ).toHaveLength(1);
          },
        ),
        { seed: SEED + i++, numRuns: 6 },
      );
      // The three prototype keys too, which Nest would otherwise drop without a word.
      for (const forbidden of FORBIDDEN) {
        const res = await send<ErrorBody>('GET', `${path}?${forbidden}=1`);
        expect({ route: routeKey(route), forbidden, status: res.status, error: res.body.error }).toEqual({
          route: routeKey(route),
          forbidden,
          status: 422,
          error: 'validation_failed',
        });
      }
    }
  });

  it('leaves Object.prototype and Array.prototype as they were after the whole run', () => {
    expect(pollution(before)).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual([...before[0].props.keys()].map(String).sort());
    // Read through each prototype chain, as any code reading `obj.polluted` would.
    expect(Reflect.get({}, 'polluted')).toBeUndefined();
    expect(Reflect.get([], 'polluted')).toBeUndefined();
  });
});
