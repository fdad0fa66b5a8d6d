import { WorkgateError } from '@workgate/contracts';
import { columnsOf, cursorOf, pageOf, timeOf, uuidOf } from './page-cursor';

/** A reply that keeps the headers set on it. */
function reply() {
  const headers: Record<string, string> = {};
  return { headers, header: (name: string, value: string) => (headers[name] = value) };
}

const refusal = (read: () => unknown): unknown => {
  try {
    read();
  } catch (error) {
    return error instanceof WorkgateError ? { code: error.code, details: error.details } : error;
  }
  return 'not refused';
};
const NOT_A_CURSOR = {
  code: 'validation_failed',
  details: [{ path: 'after', message: 'not a cursor this list gave' }],
};

describe('the cursor of a list page (docs/api.md, Conventions: pages)', () => {
  it('names the sort columns of a row and reads them back', () => {
    const columns = ['finance-lead', '2026-11-28T10:00:00.000Z', 'b1c2d3e4-0000-4000-8000-000000000001'];
    expect(columnsOf(cursorOf(columns), 3)).toEqual(columns);
    expect(columnsOf(undefined, 3)).toBeUndefined();
  });

  it('refuses what no list gave: not base64url JSON, another count of columns, an empty column', () => {
    expect(refusal(() => columnsOf('bm90LWEtY3Vyc29y', 3))).toEqual(NOT_A_CURSOR);
    expect(refusal(() => columnsOf(Buffer.from('["a","b"]').toString('base64url'), 3))).toEqual(NOT_A_CURSOR);
    expect(refusal(() => columnsOf(Buffer.from('["a","","c"]').toString('base64url'), 3))).toEqual(NOT_A_CURSOR);
    expect(refusal(() => columnsOf(Buffer.from('{"a":1}').toString('base64url'), 1))).toEqual(NOT_A_CURSOR);
  });

  it('reads a time column as RFC 3339 and an id column as a uuid, refusing others', () => {
    expect(timeOf('2026-11-28T10:00:00Z')).toBe('2026-11-28T10:00:00.000Z');
    expect(refusal(() => timeOf('yesterday'))).toEqual(NOT_A_CURSOR);
    expect(refusal(() => timeOf('+275760-09-13T00:00:00.000Z'))).toEqual(NOT_A_CURSOR);
    expect(uuidOf('B1C2D3E4-0000-4000-8000-000000000001')).toBe('B1C2D3E4-0000-4000-8000-000000000001');
    expect(refusal(() => uuidOf("1' OR '1'='1"))).toEqual(NOT_A_CURSOR);
  });

  it('answers `limit` rows of the one more read, and a Link to the next page only when more follow', () => {
    const rows = [{ id: 'r1' }, { id: 'r2' }, { id: 'r3' }];
    const next = {
      path: '/v1/list',
      query: { owner: 'a b', status: undefined },
      columns: (r: { id: string }) => [r.id],
    };
    const more = reply();
    expect(pageOf(rows, 2, more, next)).toEqual([{ id: 'r1' }, { id: 'r2' }]);
    const cursor = Buffer.from('["r2"]').toString('base64url');
    expect(more.headers).toEqual({ Link: `</v1/list?owner=a+b&limit=2&after=${cursor}>; rel="next"` });
    const last = reply();
    expect(pageOf(rows, 3, last, next)).toEqual(rows);
    expect(last.headers).toEqual({});
  });
});
