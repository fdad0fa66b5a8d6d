import { deterministicUuid } from './ids';

describe('deterministicUuid', () => {
  it('gives the same UUID for the same names and another for other names', () => {
    const a = deterministicUuid('WorkflowPublished', 'abc');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid('WorkflowPublished', 'abc')).toBe(a);
    expect(deterministicUuid('WorkflowPublished', 'abd')).not.toBe(a);
    expect(deterministicUuid('WorkflowPublishe', 'dabc')).not.toBe(a);
  });
});
