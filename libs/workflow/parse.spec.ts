import { stringify } from 'yaml';
import { WorkgateError } from '@workgate/contracts';
import { parseDefinitionText } from './compile';
import { validateDefinition } from './validate';
import { CATALOG, shippedWorkflow } from './test-fixtures';

const refusal = (text: string): unknown => {
  try {
    parseDefinitionText(text);
    return undefined;
  } catch (error) {
    return error;
  }
};
const problemsOf = (raw: unknown) => {
  const v = validateDefinition(raw, { catalog: CATALOG });
  return v.ok ? [] : v.problems;
};

describe('definition text a parser cannot follow, and values no text can store', () => {
  it.each([
    ['a flow sequence 10,000 deep', `jobType: a\nsteps: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`],
    ['a block mapping 10,000 deep', Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')],
    [
      'a block sequence 10,000 deep',
      `${Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i * 2)}- `).join('\n')}x`,
    ],
  ])("refuses %s as invalid_definition naming the depth limit, never the engine's words", (_what, text) => {
    const error = refusal(text);
    expect(error).toBeInstanceOf(WorkgateError);
    expect(error).toMatchObject({
      code: 'invalid_definition',
      message: 'the definition is nested deeper than 64 levels',
      details: [{ path: '', message: 'is nested deeper than 64 levels' }],
    });
    expect(JSON.stringify(error)).not.toMatch(/call stack/i);
  });

  it('refuses a definition nested deeper than 64 levels that the parser could follow, naming where', () => {
    const raw = parseDefinitionText(`jobType: a\nsteps: ${'['.repeat(100)}${']'.repeat(100)}\n`);
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
});
