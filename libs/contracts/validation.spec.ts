import { validateDto } from './validation';
import * as dtos from './dto';

describe('validateDto', () => {
  it('lists unknown keys at every depth with their paths', () => {
    const r = validateDto(dtos.CompleteStepDto, { evidence: [{ kind: 'k', ref: 'r', extra: 1 }], other: true });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.path).sort()).toEqual(['evidence[0].extra', 'other']);
  });

  it('leaves to class-validator what it refuses, so every problem is still named', () => {
    const r = validateDto(dtos.RequestActionDto, {
      system: 'shop',
      operation: 'x'.repeat(201),
      kind: 'delete',
      facts: 'no',
      extra: 1,
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.path).sort()).toEqual(['extra', 'facts', 'kind', 'operation']);
  });
});
