import { WorkflowDefinition } from '@workgate/contracts';
import { definitionSha256 } from '@workgate/workflow';
import { PolicyRegistry } from './policy-registry';

const def = (version: number, title = 'T'): WorkflowDefinition => ({
  jobType: 'job',
  version,
  title,
  owner: 'o',
  systems: [{ name: 's', read: true, write: [] }],
});
const published = (d: WorkflowDefinition) => ({
  jobType: d.jobType,
  version: d.version,
  sha256: definitionSha256(d),
  definition: d,
});

describe('PolicyRegistry', () => {
  it('keeps every version, the highest current, and ignores a repeated event', () => {
    const r = new PolicyRegistry();
    r.apply(published(def(1)), 1, '2026-01-01T00:00:00.000Z');
    r.apply(published(def(2, 'second')), 2, '2026-01-02T00:00:00.000Z');
    r.apply(published(def(1)), 1, '2026-01-01T00:00:00.000Z');
    expect(r.currentVersion('job')).toBe(2);
    expect(r.streamVersion('job')).toBe(2);
    expect(r.get('job')?.definition.title).toBe('second');
    expect(r.get('job', 1)?.version).toBe(1);
    expect(r.list()).toEqual([
      expect.objectContaining({
        jobType: 'job',
        currentVersion: 2,
        versions: [expect.objectContaining({ version: 1 }), expect.objectContaining({ version: 2 })],
      }),
    ]);
    expect(r.resolve('nope')).toEqual({ missing: 'job_type' });
    expect(r.resolve('job', 7)).toEqual({ missing: 'version' });
    expect(r.findBySha('job', definitionSha256(def(1)))?.policy.version).toBe(1);
  });
});
