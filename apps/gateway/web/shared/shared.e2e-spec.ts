/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, Request, Route } from 'playwright-core';
import { closeContexts, launchChromium } from '../../../../test/support/console-page';

const ORIGIN = 'http://127.0.0.1:9';

/** What `api` throws: what the API refused, as it said it. */
interface ApiError extends Error {
  status: number;
  code?: string;
  unknown?: string;
}

/** What the page under test exposes: the shared modules, as the pages import them. */
interface SharedModules {
  duration: (seconds: number | null | undefined) => string;
  roughDuration: (seconds: number) => string;
  h: (tag: string, attrs?: Record<string, unknown> | null, ...children: unknown[]) => HTMLElement;
  status: (text: string, error?: boolean) => void;
  table: (columns: Array<Record<string, unknown>>, rows: Array<Record<string, unknown>>) => HTMLTableElement;
  api: (method: string, path: string, options?: { body?: unknown; retryKey?: string }) => Promise<unknown>;
  apiBlob: (path: string, accept: string) => Promise<Blob>;
  apiKey: { get: () => string; has: () => boolean; set: (key: string) => void; forget: () => void };
  ApiError: new (status: number, body: Record<string, unknown>, unknown?: string) => ApiError;
}

declare global {
  interface Window {
    shared: SharedModules;
  }
}

/**
 * The browser modules every page imports (`web/shared`), in the browser they are written for
 * (headless Chromium, as ES modules, no build step): each is fed inputs and its output compared
 * with values written out here by hand. The page and the API answers are served by the browser's
 * own request interception: nothing listens, nothing leaves the machine.
 */
describe('the shared browser modules', () => {
  let browser: Browser;
  let page: Page;
  /** How the fake API answers the next calls, by path; what the modules sent. */
  const answers = new Map<string, (route: Route) => Promise<void>>();
  const sent: Request[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    await page.route('**/*', async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: PAGE });
      if (path.startsWith('/shared/')) {
        const file = join(__dirname, path.slice('/shared/'.length));
        return route.fulfill({ contentType: 'text/javascript', body: readFileSync(file) });
      }
      const answer = answers.get(path);
      if (!answer) return route.fulfill({ status: 404, json: { message: `no answer for ${path}` } });
      sent.push(route.request());
      return answer(route);
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForSelector('body[data-ready]', { state: 'attached' });
  }, 30_000);
  afterAll(() => closeContexts(browser));
  beforeEach(() => {
    answers.clear();
    sent.length = 0;
  });

  describe('duration', () => {
    it('writes seconds in their two largest adjacent units, to the second, weeks the largest', async () => {
      const cases: Array<[number | null | undefined, string]> = [
        [null, ''],
        [undefined, ''],
        [0, '0 s'],
        [0.9, '0 s'],
        [-5, '0 s'],
        [40, '40 s'],
        [60, '1 min'],
        [61, '1 min 1 s'],
        [3601, '1 h'],
        [3660, '1 h 1 min'],
        [18_750, '5 h 12 min'],
        [90_061, '1 d 1 h'],
        [273_600, '3 d 4 h'],
        [864_000, '1 w 3 d'],
        [6_051_600, '10 w'],
      ];
      const seconds = cases.map(([s]) => s);
      expect(await page.evaluate((all) => all.map((s) => window.shared.duration(s)), seconds)).toEqual(
        cases.map(([, text]) => text),
      );
    });

    it('writes a distance from now to the minute, either side, days the largest unit', async () => {
      const cases: Array<[number, string]> = [
        [0, 'less than a minute'],
        [59.9, 'less than a minute'],
        [-59, 'less than a minute'],
        [60, '1 min'],
        [-240, '4 min'],
        [18_000, '5 h'],
        [18_750, '5 h 12 min'],
        [-259_259, '3 d'],
        [1_051_200, '12 d 4 h'],
      ];
      const seconds = cases.map(([s]) => s);
      expect(await page.evaluate((all) => all.map((s) => window.shared.roughDuration(s)), seconds)).toEqual(
        cases.map(([, text]) => text),
      );
    });
  });

  describe('h and status', () => {
    it('builds an element whose text is text, never markup', async () => {
      const html = await page.evaluate(() => {
        const { h } = window.shared;
        const clicked: string[] = [];
        const el = h(
          'p',
          {
            class: 'note',
            hidden: true,
            title: null,
            disabled: false,
            'data-x': 'y',
            onclick: () => clicked.push('!'),
          },
          '<b>bold</b>',
          [h('i', { text: 'one' }), null, undefined, false, 2],
        );
        el.click();
        return `${el.outerHTML} ${clicked.join('')}`;
      });
      expect(html).toBe('<p class="note" hidden="" data-x="y">&lt;b&gt;bold&lt;/b&gt;<i>one</i>2</p> !');
    });

    it('says what goes on, or what went wrong, in the status line', async () => {
      expect(
        await page.evaluate(() => {
          window.shared.status('Loading…');
          const quiet = document.querySelector('#status')?.outerHTML;
          window.shared.status('Refused.', true);
          return [quiet, document.querySelector('#status')?.outerHTML];
        }),
      ).toEqual(['<p id="status" class="muted">Loading…</p>', '<p id="status" class="error">Refused.</p>']);
    });
  });

  describe('table', () => {
    const render = (rows: Array<Record<string, unknown>>) =>
      page.evaluate((r) => {
        const { h, table } = window.shared;
        const columns = [
          { title: 'count', num: true, cell: (x: Record<string, unknown>) => x.n, total: () => 'all' },
          {
            title: 'work order',
            cell: (x: Record<string, unknown>) => h('a', { href: `#/${String(x.id)}` }, String(x.ref)),
            hint: (x: Record<string, unknown>) => `id ${String(x.id)}`,
          },
          { title: 'day', nowrap: true, cell: (x: Record<string, unknown>) => x.day },
        ];
        return table(columns, r).outerHTML;
      }, rows);

    it('renders the rows under their headings, with a totals row when there is more than one row', async () => {
      expect(
        await render([
          { n: 3, id: 'a1', ref: 'CASE-<1>', day: '2026-11-01' },
          { n: 12, id: 'b2', ref: 'CASE-2', day: null },
        ]),
      ).toBe(
        '<table><thead><tr><th scope="col" class="num">count</th><th scope="col">work order</th><th scope="col">day</th></tr></thead>' +
          '<tbody><tr><td class="num">3</td><td title="id a1"><a href="#/a1">CASE-&lt;1&gt;</a></td><td class="nowrap">2026-11-01</td></tr>' +
          '<tr><td class="num">12</td><td title="id b2"><a href="#/b2">CASE-2</a></td><td class="nowrap"></td></tr></tbody>' +
          '<tfoot><tr><td class="num">all</td><td></td><td class="nowrap"></td></tr></tfoot></table>',
      );
    });

    it('leaves the totals out for a single row', async () => {
      expect(await render([{ n: 1, id: 'c3', ref: 'CASE-3', day: '2026-11-02' }])).toBe(
        '<table><thead><tr><th scope="col" class="num">count</th><th scope="col">work order</th><th scope="col">day</th></tr></thead>' +
          '<tbody><tr><td class="num">1</td><td title="id c3"><a href="#/c3">CASE-3</a></td><td class="nowrap">2026-11-02</td></tr></tbody></table>',
      );
    });
  });

  describe('api', () => {
    /** Calls the API in the page; what it answered, or the ApiError it threw, as plain data. */
    const call = (method: string, path: string, options: { body?: unknown; retryKey?: string } = {}) =>
      page.evaluate(
        async ([m, p, o]) => {
          try {
            const answer = await window.shared.api(m, p, o);
            return { answer };
          } catch (e) {
            if (!(e instanceof window.shared.ApiError)) return { thrown: String(e) };
            const { status, code, unknown, message } = e;
            return { error: { isApiError: true, status, code, unknown, message } };
          }
        },
        [method, path, options] as const,
      );
    const headers = (i = 0) => sent[i].allHeaders();

    it('reads with the key this tab signed in with, and answers the JSON', async () => {
      await page.evaluate(() => window.shared.apiKey.set('wg_test_key'));
      answers.set('/v1/me', (r) => r.fulfill({ json: { id: 'lead', roles: ['ops-lead'] } }));
      expect(await call('GET', '/v1/me')).toEqual({ answer: { id: 'lead', roles: ['ops-lead'] } });
      expect(await headers()).toMatchObject({ authorization: 'Bearer wg_test_key', accept: 'application/json' });
      expect(await headers()).not.toHaveProperty('idempotency-key');
      expect(sent[0].method()).toBe('GET');
    });

    it('writes JSON with a fresh Idempotency-Key, or the key of the attempt to retry', async () => {
      answers.set('/v1/things', (r) => r.fulfill({ status: 201, body: '' }));
      expect(await call('POST', '/v1/things', { body: { a: 1 } })).toEqual({ answer: {} });
      expect(await call('POST', '/v1/things', { body: { a: 1 } })).toEqual({ answer: {} });
      expect(await call('POST', '/v1/things', { body: { a: 2 }, retryKey: 'web-retry' })).toEqual({ answer: {} });
      const [first, second, retried] = await Promise.all([headers(0), headers(1), headers(2)]);
      expect(first['content-type']).toBe('application/json');
      expect(first['idempotency-key']).toMatch(/^web-[0-9a-f]{32}$/);
      expect(second['idempotency-key']).toMatch(/^web-[0-9a-f]{32}$/);
      expect(second['idempotency-key']).not.toBe(first['idempotency-key']);
      expect(retried['idempotency-key']).toBe('web-retry');
      expect(sent.map((r) => r.postData())).toEqual(['{"a":1}', '{"a":1}', '{"a":2}']);
    });

    it('throws what the API refused as it said it', async () => {
      answers.set('/v1/refused', (r) =>
        r.fulfill({ status: 403, json: { error: 'forbidden', message: 'Only the owner may decide.' } }),
      );
      answers.set('/v1/proxy', (r) => r.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad</h1>' }));
      expect(await call('POST', '/v1/refused', { body: {} })).toEqual({
        error: { isApiError: true, status: 403, code: 'forbidden', message: 'Only the owner may decide.' },
      });
      expect(await call('GET', '/v1/proxy')).toEqual({
        error: { isApiError: true, status: 502, message: '502 Bad Gateway' },
      });
    });

    it('keeps the Idempotency-Key of a write whose outcome is unknown (504, no answer)', async () => {
      answers.set('/v1/slow', (r) => r.fulfill({ status: 504, json: { error: 'timeout', message: 'Timed out.' } }));
      answers.set('/v1/gone', (r) => r.abort('connectionrefused'));
      const timedOut = await call('POST', '/v1/slow', { body: {} });
      const unanswered = await call('POST', '/v1/gone', { body: {} });
      const [slow, gone] = await Promise.all([headers(0), headers(1)]);
      expect(timedOut).toEqual({
        error: {
          isApiError: true,
          status: 504,
          code: 'timeout',
          unknown: slow['idempotency-key'],
          message: 'Timed out.',
        },
      });
      expect(unanswered).toEqual({
        error: {
          isApiError: true,
          status: 0,
          unknown: gone['idempotency-key'],
          message: 'The server did not answer. Try again: the same request is not done twice.',
        },
      });
    });

    it('answers a Blob for anything but JSON (apiBlob), and sends no Authorization once the key is forgotten (a console session speaks by its cookie)', async () => {
      answers.set('/v1/views/x', (r) => r.fulfill({ contentType: 'text/csv', body: 'a,b\n1,2\n' }));
      await page.evaluate(() => window.shared.apiKey.forget());
      expect(await page.evaluate(() => window.shared.apiKey.has())).toBe(false);
      const blob = await page.evaluate(async () => {
        const answer = await window.shared.apiBlob('/v1/views/x', 'text/csv');
        return `blob ${answer.type}: ${await answer.text()}`;
      });
      expect(blob).toBe('blob text/csv: a,b\n1,2\n');
      expect(await headers()).toMatchObject({ accept: 'text/csv' });
      expect(await headers()).not.toHaveProperty('authorization');
    });
  });
});

/** A page that imports every shared module as the pages do, and lends them to the test. */
const PAGE = `<!doctype html>
<html><head><script type="module">
import * as api from '/shared/api.js';
import * as dom from '/shared/dom.js';
import * as duration from '/shared/duration.js';
import * as table from '/shared/table.js';
window.shared = { ...api, ...dom, ...duration, ...table };
document.body.dataset.ready = 'yes';
</script></head><body><p id="status"></p></body></html>`;
