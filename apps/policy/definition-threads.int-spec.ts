import { WorkflowDefinition, WorkgateError } from '@workgate/contracts';
import { DefinitionThreads } from './definition-threads';

const NOTES: WorkflowDefinition = {
  jobType: 'notes',
  version: 1,
  title: 'Notes',
  owner: 'support-lead',
  systems: [{ name: 'shop', read: true, write: ['order.note'] }],
  rules: [{ id: 'vip-waits', when: 'facts.vip == true', decision: 'wait' }],
};

/** The definition thread (the built dist/apps/policy/definition-thread.js) and its hard limit. */
describe('the definition thread', () => {
  const threads = new DefinitionThreads();
  afterAll(() => threads.close());

  it('parses and validates a definition sent as YAML text', async () => {
    const answer = await threads.run({ kind: 'examine', source: 'jobType: notes\nversion: 1\n', catalog: [] }, 30_000);
    expect(answer).toMatchObject({ kind: 'examine', examined: { ok: false } });
    expect(await threads.run({ kind: 'examine', source: NOTES, catalog: [] }, 30_000)).toEqual({
      kind: 'examine',
      examined: { ok: true, definition: NOTES },
    });
  });

  it('answers a refusal of the parser as the refusal it is', async () => {
    const answer = await threads.run({ kind: 'examine', source: '['.repeat(200_000), catalog: [] }, 30_000);
    expect(answer).toMatchObject({
      kind: 'refused',
      error: { code: 'invalid_definition', message: 'the definition is nested deeper than 64 levels' },
    });
  });

  it('refuses a job past its limit with 422, ends the thread, and answers the next job on a new one', async () => {
    // A thread cannot even start within 1 ms: the job is over its limit whatever it holds.
    const refused = await threads.run({ kind: 'examine', source: NOTES, catalog: [] }, 1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkgateError);
    expect(refused).toMatchObject({
      code: 'invalid_definition',
      message: 'checking the definition took longer than 0.001 s: make it smaller or its conditions simpler',
    });
    expect(await threads.run({ kind: 'examine', source: NOTES, catalog: [] }, 30_000)).toMatchObject({
      kind: 'examine',
      examined: { ok: true },
    });
  });

  it('refuses a simulation past its limit, naming the window', async () => {
    const refused = await threads
      .run({ kind: 'replay', draft: { ...NOTES, version: 2 }, versions: [NOTES], requests: [] }, 1)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'invalid_definition',
      message: "the simulation took longer than 0.001 s: narrow its window (from, to) or simplify the draft's rules",
    });
  });
});
