import fc from 'fast-check';
import { inexactNumberProblems, inexactNumbers } from './exact-numbers';
import { jsonValueProblems, MAX_KEYS, MAX_NODES } from './json-problems';

describe('the problems of a JSON value no DTO rule sees', () => {
  it('finds prototype keys at any depth', () => {
    const value = JSON.parse('{"a":{"b":[{"__proto__":{"x":1}}]},"constructor":1}');
    expect(
      jsonValueProblems(value)
        .map((p) => p.path)
        .sort(),
    ).toEqual(['a.b[0].__proto__', 'constructor']);
  });

  it('refuses nesting deeper than 64 levels without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(jsonValueProblems(deep)).toEqual([{ path: expect.any(String), message: 'is nested deeper than 64 levels' }]);
  });

  it('refuses U+0000 and unpaired surrogates in strings and keys, and keeps paired ones', () => {
    const value = JSON.parse('{"a":"x\\u0000y","b":["\\ud800"],"c":{"\\udc00k":1},"ok":"\\ud83d\\ude00 é"}');
    expect(
      jsonValueProblems(value)
        .map((p) => p.path)
        .sort(),
    ).toEqual(['a', 'b[0]', 'c.\\udc00k']);
  });

  it('refuses a number that is not finite (its text was too large for a double)', () => {
    const value = JSON.parse('{"inf":1e999,"fine":[9007199254740992,1e21,0.1,-2.5e-300]}');
    expect(jsonValueProblems(value).map((p) => p.path)).toEqual(['inf']);
  });

  it(`refuses an object of more than ${MAX_KEYS} keys and a value of more than ${MAX_NODES} values`, () => {
    const wide = { facts: Object.fromEntries(Array.from({ length: MAX_KEYS + 1 }, (_, i) => [`k${i}`, i])) };
    expect(jsonValueProblems(wide)).toEqual([
      { path: 'facts', message: `has ${MAX_KEYS + 1} keys, more than ${MAX_KEYS}` },
    ]);
    const many = { list: Array.from({ length: MAX_NODES }, () => 1) };
    expect(jsonValueProblems(many)).toEqual([{ path: 'list', message: `holds more than ${MAX_NODES} values in all` }]);
    expect(jsonValueProblems({ list: Array.from({ length: MAX_NODES - 2 }, () => 1) })).toEqual([]);
  });
});

describe('numbers a parse would round', () => {
  it('finds the numbers of a JSON text a parse would round, and names where they are', () => {
    const text =
      '{"a":"12345678901234567890","b":12345678901234567890,"c":[0.1,1e21,123456789012345,0.12345678901234567890,1.50000000000000000000]}';
    expect(inexactNumbers(text)).toEqual(['12345678901234567890', '0.12345678901234567890']);
    expect(
      inexactNumberProblems(text, JSON.parse(text))
        .map((p) => p.path)
        .sort(),
    ).toEqual(['b', 'c[3]']);
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (d) => inexactNumbers(JSON.stringify({ d })).length === 0,
      ),
    );
  });
});
