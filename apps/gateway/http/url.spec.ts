import { urlProblems } from './url';

describe('urlProblems', () => {
  it('finds nothing in URLs without percent-encoding, the common case', () => {
    expect(urlProblems('/v1/work-orders/8c1f0a52-4c1b-4d1e-9b7e-0d3b1d7a3c11/actions')).toEqual([]);
    expect(urlProblems('/v1/views/stall-rate?from=2026-11-01&to=2026-11-30&jobType=support+recovery')).toEqual([]);
  });

  it('reads percent-encoded UTF-8 and names each part that is not, or that holds U+0000 or an unpaired surrogate', () => {
    expect(urlProblems('/v1/work-orders?externalRef=caf%C3%A9')).toEqual([]);
    expect(urlProblems('/v1/a%ffb')).toEqual([
      { path: 'path', message: 'a path segment is not valid percent-encoded UTF-8' },
    ]);
    expect(urlProblems('/v1/a%00b')).toEqual([
      { path: 'path', message: 'a path segment holds U+0000 or an unpaired surrogate' },
    ]);
    expect(urlProblems('/v1/x?ok=1&ref=%ED%A0%80')).toEqual([
      { path: 'query:ref', message: 'is not valid percent-encoded UTF-8' },
    ]);
    expect(urlProblems('/v1/x?k%00=1')).toEqual([
      { path: 'query:k%00', message: 'holds U+0000 or an unpaired surrogate' },
    ]);
  });

  it('names a query part holding U+0000 even without percent-encoding', () => {
    expect(urlProblems('/v1/x?ref=a\u0000b')).toEqual([
      { path: 'query:ref', message: 'holds U+0000 or an unpaired surrogate' },
    ]);
  });
});
