import { isUuid, requireUuid } from './ids';

describe('ids', () => {
  it('accepts UUIDs (any case) and names what has no such id otherwise', () => {
    expect(isUuid('B5A1F3A0-0000-4000-8000-000000000001')).toBe(true);
    expect(isUuid('nope')).toBe(false);
    expect(isUuid(42)).toBe(false);
    expect(requireUuid('B5A1F3A0-0000-4000-8000-000000000001', 'approval')).toBe(
      'b5a1f3a0-0000-4000-8000-000000000001',
    );
    expect(() => requireUuid('../etc', 'approval')).toThrow(
      expect.objectContaining({ code: 'not_found', message: 'no approval has that id' }),
    );
  });
});
