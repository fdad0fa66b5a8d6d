import {
  arrayOf,
  expectShape,
  isNumber,
  isString,
  objectOf,
  oneOf,
  optional,
  parseJsonAs,
  recordOf,
} from './json-guards';

describe('JSON guards', () => {
  const row = objectOf({ id: isString, n: isNumber, tag: optional(oneOf('a', 'b')), list: arrayOf(isNumber) });

  it('accepts a value of the shape, with other members and an absent optional one', () => {
    expect(parseJsonAs('{"id":"x","n":1,"list":[1,2],"more":true}', row, 'a row')).toEqual({
      id: 'x',
      n: 1,
      list: [1, 2],
      more: true,
    });
    expect(recordOf(isNumber)({ a: 1, b: 2 })).toBe(true);
  });

  it('refuses a member of another type, a missing one, a value outside oneOf, and names what it expected', () => {
    expect(row({ id: 'x', n: '1', list: [] })).toBe(false);
    expect(row({ id: 'x', list: [] })).toBe(false);
    expect(row({ id: 'x', n: 1, tag: 'c', list: [] })).toBe(false);
    expect(row({ id: 'x', n: 1, list: [1, '2'] })).toBe(false);
    expect(row([])).toBe(false);
    expect(recordOf(isNumber)({ a: 1, b: '2' })).toBe(false);
    expect(() => expectShape({ id: 1 }, row, 'a row')).toThrow('expected a row, got {"id":1}');
    expect(() => parseJsonAs('{', row, 'a row')).toThrow(SyntaxError);
  });
});
