import { stringify } from 'yaml';
import { WorkgateError } from '@workgate/contracts';
import { parseDefinitionText } from './compile';
import { validateDefinition } from './validate';
import { CATALOG, NESTED_TOO_DEEP, refusal, shippedWorkflow } from './test-fixtures';

const problemsOf = (raw: unknown) => {
  const v = validateDefinition(raw, { catalog: CATALOG });
  return v.ok ? [] : v.problems;
};

describe('definition text a parser cannot follow, and values no text can store', () => {
  // Block nesting grows the text with the square of its depth: 1,400 and 1,000 levels are the
  // deepest 1 MiB holds, the largest body the API reads (docs/api.md, Conventions).
  it.each([
    ['a flow sequence 10,000 deep', `jobType: a\nsteps: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`],
    ['a block mapping 1,400 deep', Array.from({ length: 1_400 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')],
    ['a block sequence 1,000 deep', `${Array.from({ length: 1_000 }, (_, i) => `${' '.repeat(i * 2)}- `).join('\n')}x`],
  ])("refuses %s as invalid_definition naming the depth limit, never the engine's words", (_what, text) => {
    const error = refusal(text);
    expect(error).toBeInstanceOf(WorkgateError);
    expect(error).toMatchObject(NESTED_TOO_DEEP);
    expect(JSON.stringify(error)).not.toMatch(/call stack/i);
  });

  it('refuses a definition sent as an object nested deeper than 64 levels, naming where', () => {
    let steps: unknown[] = [];
    for (let i = 1; i < 100; i++) steps = [steps];
    const raw = { jobType: 'a', steps };
    expect(problemsOf(raw)).toEqual([{ path: `steps${'[0]'.repeat(63)}`, message: 'is nested deeper than 64 levels' }]);
  });

  it('names the field holding U+0000 or an unpaired surrogate, in YAML as in JSON', () => {
    const withNul = { ...shippedWorkflow('support-recovery'), title: 'Support\u0000recovery' };
    for (const text of [
      stringify(withNul),
      JSON.stringify(withNul),
      stringify(withNul).replace('Support\\0recovery', 'Support\\ud800recovery'),
    ]) {
      expect(problemsOf(parseDefinitionText(text))).toEqual([
        { path: 'title', message: expect.stringMatching(/^holds U\+0000 or an unpaired surrogate/) },
      ]);
    }
    const nested = shippedWorkflow('support-recovery');
    (nested.steps ?? [])[1].title = 'a\u0000b';
    expect(problemsOf(parseDefinitionText(stringify(nested)))).toEqual([
      { path: 'steps[1].title', message: expect.stringMatching(/^holds U\+0000/) },
    ]);
  });

  it('refuses a key twice in one object of a JSON definition, as YAML does', () => {
    expect(refusal('{"jobType":"a","version":1,"version":2}')).toMatchObject({
      message: 'version: the key "version" appears more than once in one object',
    });
    expect(refusal('jobType: a\nversion: 1\nversion: 2\n')).toMatchObject({
      message: expect.stringMatching(/unique/i),
    });
  });

  it('answers a YAML warning as a problem naming its line, and prints nothing of the request', () => {
    const marker = 'SECRET-CALLBACK-7731';
    const text = `jobType: a\ntitle: !!js/function "function () { return '${marker}' }"\n`;
    const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const warned = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = refusal(text);
    const printed = [emitted, stderr, warned].flatMap((spy) => spy.mock.calls.flat().map(String)).join('\n');
    [emitted, stderr, warned].forEach((spy) => spy.mockRestore());
    expect(printed).toBe('');
    expect(error).toMatchObject({
      code: 'invalid_definition',
      message: 'the definition has 1 YAML warning',
      details: [{ path: '', message: 'line 2, column 8: tag resolve failed' }],
    });
    expect(JSON.stringify(error)).not.toContain(marker);
  });
});
