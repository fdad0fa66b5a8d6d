import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowDefinition, WorkgateError } from '@workgate/contracts';
import { DefinitionJob } from './definition-jobs';
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
  afterAll(async () => {
    await threads.close();
    await DefinitionThreads.dropSpare();
  });

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
    // Parsing 20,000 list entries takes far longer than 1 ms, even on a thread already running.
    const source = `jobType: notes\nversion: 1\nsystems:\n${'  - {name: shop, read: true}\n'.repeat(20_000)}`;
    const refused = await threads.run({ kind: 'examine', source, catalog: [] }, 1).catch((e: unknown) => e);
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
    // Enough requests that re-deciding them takes far longer than 1 ms even on a thread already running.
    const requests = Array.from({ length: 50_000 }, (_, i) => ({
      version: 1,
      input: {
        action: { system: 'shop', operation: 'order.note', kind: 'write' as const },
        facts: { vip: i % 2 === 0 },
      },
    }));
    const refused = await threads
      .run({ kind: 'replay', draft: { ...NOTES, version: 2 }, versions: [NOTES], requests }, 1)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'invalid_definition',
      message: "the simulation took longer than 0.001 s: narrow its window (from, to) or simplify the draft's rules",
    });
  });
});

/** A stand-in thread file that notes each start of a thread in a file, and answers every job. */
describe('a thread warmed ahead of its first job', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wg-def-thread-'));
  const starts = join(dir, 'starts');
  const file = join(dir, 'thread.js');
  writeFileSync(starts, '');
  writeFileSync(
    file,
    `const { appendFileSync } = require('node:fs');
const { parentPort } = require('node:worker_threads');
appendFileSync(${JSON.stringify(starts)}, 'started\\n');
parentPort.on('message', () => parentPort.postMessage({ kind: 'replay', verdicts: [] }));
parentPort.postMessage({ kind: 'ready' });
`,
  );
  const started = () => readFileSync(starts, 'utf8').split('\n').filter(Boolean).length;
  const untilStarted = async (n: number) => {
    while (started() < n) await new Promise((r) => setTimeout(r, 10));
  };
  const job: DefinitionJob = { kind: 'replay', draft: NOTES, versions: [], requests: [] };
  afterAll(async () => {
    await DefinitionThreads.dropSpare();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the thread the first job runs on: no second one starts', async () => {
    DefinitionThreads.warm(file);
    await untilStarted(1);
    const threads = new DefinitionThreads(file);
    expect(await threads.run(job, 30_000)).toEqual({ kind: 'replay', verdicts: [] });
    expect(await threads.run(job, 30_000)).toEqual({ kind: 'replay', verdicts: [] });
    await threads.close();
    expect(started()).toBe(1);
  });

  it('is kept again by a DefinitionThreads that closes idle: the next one runs on it, as a restart in this process', async () => {
    const next = new DefinitionThreads(file);
    expect(await next.run(job, 30_000)).toEqual({ kind: 'replay', verdicts: [] });
    await next.close();
    expect(started()).toBe(1);
  });

  it('is taken once: a DefinitionThreads beside the one that took it starts its own, and one dropped is never used', async () => {
    const first = new DefinitionThreads(file);
    const second = new DefinitionThreads(file);
    await first.run(job, 30_000);
    await second.run(job, 30_000);
    expect(started()).toBe(2);
    await first.close(); // kept as the spare
    await second.close(); // a spare is kept already: ended
    await DefinitionThreads.dropSpare();
    const after = new DefinitionThreads(file);
    await after.run(job, 30_000);
    await after.close();
    expect(started()).toBe(3);
    await DefinitionThreads.dropSpare();
    DefinitionThreads.warm(file);
    await untilStarted(4);
    await DefinitionThreads.dropSpare();
    const last = new DefinitionThreads(file);
    await last.run(job, 30_000);
    await last.close();
    expect(started()).toBe(5);
  });

  it("refuses an answer that came after the job's limit, though the limit's timer has not run yet", async () => {
    // A process too busy to run the limit's timer before the answer arrives: the timer never runs here.
    const slow = join(dir, 'slow.js');
    writeFileSync(
      slow,
      `const { parentPort } = require('node:worker_threads');
parentPort.on('message', () => {
  const until = Date.now() + 50;
  while (Date.now() < until);
  parentPort.postMessage({ kind: 'replay', verdicts: [] });
});
parentPort.postMessage({ kind: 'ready' });
`,
    );
    jest.useFakeTimers({ doNotFake: ['performance', 'Date', 'nextTick', 'setImmediate', 'queueMicrotask'] });
    const threads = new DefinitionThreads(slow);
    try {
      const refused = await threads.run(job, 20).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkgateError);
      expect(refused).toMatchObject({
        code: 'invalid_definition',
        message: "the simulation took longer than 0.02 s: narrow its window (from, to) or simplify the draft's rules",
      });
    } finally {
      jest.useRealTimers();
      await threads.close();
    }
  });
});
