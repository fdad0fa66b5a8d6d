import { duplicateKeyProblem, memberBound, objectMembers } from './duplicate-keys';

const check = (text: string) => duplicateKeyProblem(text, objectMembers(JSON.parse(text)));

describe('duplicate keys in a JSON text', () => {
  it('finds a key repeated in one object and names it and its path', () => {
    expect(check('{"a":1,"a":2}')).toEqual({ path: 'a', message: 'the key "a" appears more than once in one object' });
    expect(check('{"inputs":{"x":1,"y":[{"z":1,"z":2}]}}')).toEqual({
      path: 'inputs.y[0].z',
      message: 'the key "z" appears more than once in one object',
    });
    expect(check('[{"a":1},{"b":[1,2,{"c":0}],"b":3}]')?.path).toBe('[1].b');
    expect(check('{ "a" : 1 ,\n\t"a"\n:\n2 }')?.path).toBe('a');
    // The same key written two ways: an escape is the character it stands for.
    expect(check('{"ab":1,"\\u0061b":2}')?.path).toBe('ab');
    expect(check('{"a\\"b":1,"a\\"b":2}')?.message).toBe('the key "a"b" appears more than once in one object');
    expect(check('{"n":{"0":1,"0":2}}')?.path).toBe('n[0]');
  });

  it('finds nothing in JSON without a repeated key, whatever its strings hold', () => {
    for (const text of [
      '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}',
      '{"s":"\\":\\",{\\"a\\":1,\\"a\\":2}","t":"2026-11-26T14:38:59Z"}',
      '{"a":"x\\\\","b":"\\\\\\"","a\\\\":1}',
      '{"url":"https://x:8080/a?b=c","list":["{",":","}","[","]",","]}',
      '[]',
      '[1,2,{"a":{}}]',
      '{}',
    ]) {
      expect([text, check(text)]).toEqual([text, undefined]);
    }
  });

  it('counts at least every member, and exactly when no string holds a quote before a colon', () => {
    expect(memberBound('{"a":1,"b" : {"c":"x:y"}}')).toBe(3);
    expect(memberBound('{"a":"\\":"}')).toBe(2);
    expect(memberBound('[":x"]')).toBe(1);
    expect(objectMembers(JSON.parse('{"a":1,"b":{"c":[{"d":1},{"e":2}]}}'))).toBe(5);
  });

  it('agrees with a parse on generated values, with and without a repeated key', () => {
    let seed = 41;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
    const keys = ['a', 'b', 'c', 'a"b', 'x:y', '{', '\\', 'é', '0', 'time'];
    const leaves = ['":', 'plain', '{"a":1,"a":2}', 'x\\', 12, true, null, '2026-11-26T14:38:59Z'];
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.3) return pick(leaves);
      if (r < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const out: Record<string, unknown> = {};
      for (let n = Math.floor(random() * 4); n > 0; n--) out[pick(keys)] = value(depth + 1);
      return out;
    };
    for (let run = 0; run < 300; run++) {
      const v = value(0);
      const text = JSON.stringify(v, null, run % 2 ? 1 : undefined);
      if (v === null || typeof v !== 'object') continue;
      expect([text, check(text)]).toEqual([text, undefined]);
      // Repeat the first key of the first object: `{"k":` becomes `{"k":0,"k":`.
      const first = /\{\s*("(?:[^"\\]|\\.)*")\s*:/.exec(text);
      if (!first) continue;
      const doubled = text.replace(first[0], `{${first[1]}:0,${first[1]}:`);
      expect([doubled, check(doubled)?.message]).toEqual([
        doubled,
        `the key "${JSON.parse(first[1])}" appears more than once in one object`,
      ]);
    }
  });
});
