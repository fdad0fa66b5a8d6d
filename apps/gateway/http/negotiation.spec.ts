import { preferredType } from './negotiation';

describe('preferredType', () => {
  const offers = ['application/json', 'text/csv'];

  it("answers the route's first type without an Accept header, or with */*", () => {
    expect(preferredType(undefined, offers)).toBe('application/json');
    expect(preferredType('', offers)).toBe('application/json');
    expect(preferredType('*/*', offers)).toBe('application/json');
  });

  it('answers the type the client names', () => {
    expect(preferredType('text/csv', offers)).toBe('text/csv');
    expect(preferredType('TEXT/CSV; charset=utf-8', offers)).toBe('text/csv');
    expect(preferredType('text/*', offers)).toBe('text/csv');
  });

  it("weighs by q, then by how specific the range is, then by the client's order", () => {
    expect(preferredType('text/csv;q=0.5, application/json', offers)).toBe('application/json');
    expect(preferredType('application/json;q=0.4, text/csv;q=0.9', offers)).toBe('text/csv');
    expect(preferredType('*/*;q=0.8, text/csv', offers)).toBe('text/csv');
    expect(preferredType('text/csv, application/json', offers)).toBe('text/csv');
    // A browser: HTML first, anything else less.
    expect(
      preferredType('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', [
        'application/json',
        'text/html',
      ]),
    ).toBe('text/html');
  });

  it('excludes a type the client gives q=0, and answers undefined when nothing is acceptable', () => {
    expect(preferredType('*/*, application/json;q=0', offers)).toBe('text/csv');
    expect(preferredType('image/png', offers)).toBeUndefined();
    expect(preferredType(['text/plain', 'text/csv'], offers)).toBe('text/csv');
  });
});
