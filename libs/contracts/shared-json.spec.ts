import { sharedJson } from './shared-json';

describe('sharedJson', () => {
  it('serializes a frozen answer once and keeps its text; another answer is serialized each time', () => {
    const frozen = Object.freeze({ id: 'a', steps: Object.freeze([1, 2]) });
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      const text = sharedJson(frozen);
      expect(JSON.parse(text)).toEqual({ id: 'a', steps: [1, 2] });
      expect(sharedJson(frozen)).toBe(text);
      expect(stringify).toHaveBeenCalledTimes(1);
      const open = { id: 'b' };
      expect(sharedJson(open)).toBe('{"id":"b"}');
      open.id = 'c';
      expect(sharedJson(open)).toBe('{"id":"c"}');
      expect(stringify).toHaveBeenCalledTimes(3);
    } finally {
      stringify.mockRestore();
    }
  });
});
