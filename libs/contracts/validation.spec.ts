import { forbiddenKeyProblems, validateDto } from './validation';
import { CompleteStepDto } from './work-order.dto';

describe('validation', () => {
  it('finds prototype keys at any depth', () => {
    const value = JSON.parse('{"a":{"b":[{"__proto__":{"x":1}}]},"constructor":1}');
    expect(forbiddenKeyProblems(value).map((p) => p.path).sort()).toEqual(['a.b[0].__proto__', 'constructor']);
  });

  it('refuses nesting deeper than 64 levels without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(forbiddenKeyProblems(deep)).toEqual([{ path: expect.any(String), message: 'is nested deeper than 64 levels' }]);
  });

  it('lists unknown keys at every depth with their paths', () => {
    const r = validateDto(CompleteStepDto, { evidence: [{ kind: 'k', ref: 'r', extra: 1 }], other: true });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.path).sort()).toEqual(['evidence[0].extra', 'other']);
  });
});
