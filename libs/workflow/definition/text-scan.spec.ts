import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'yaml';
import { WorkgateError } from '@workgate/contracts';
import { deepestNesting } from './text-scan';
import { NESTED_TOO_DEEP, refusal, SHIPPED, shippedWorkflow } from './test-fixtures';

jest.mock('yaml', () => {
  const actual = jest.requireActual<typeof yaml>('yaml');
  return { ...actual, parse: jest.fn(actual.parse), parseDocument: jest.fn(actual.parseDocument) };
});

describe('a definition is scanned for its nesting before it is parsed (docs/policy.md)', () => {
  beforeEach(() => jest.clearAllMocks());

  it.each([
    ['200,000 [ as YAML', '['.repeat(200_000)],
    ['200,000 [ under a key', `jobType: a\nsteps: ${'['.repeat(200_000)}`],
    ['200,000 { as YAML flow mappings', `jobType: a\nsteps: ${'{a: '.repeat(50_000)}`],
    ['a block mapping 700 levels deep', Array.from({ length: 700 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')],
    ['a compact block sequence 700 deep on one line', `${'- '.repeat(700)}x`],
  ])('refuses %s as invalid_definition before any parser reads it', (_what, text) => {
    const json = jest.spyOn(JSON, 'parse');
    const error = refusal(text);
    expect(error).toBeInstanceOf(WorkgateError);
    expect(error).toMatchObject(NESTED_TOO_DEEP);
    expect(yaml.parse).not.toHaveBeenCalled();
    expect(yaml.parseDocument).not.toHaveBeenCalled();
    expect(json).not.toHaveBeenCalled();
    json.mockRestore();
  });

  it('refuses 200,000 [ as JSON text before JSON.parse reads it', () => {
    const json = jest.spyOn(JSON, 'parse');
    expect(refusal(`{"jobType": "a", "steps": ${'['.repeat(200_000)}`)).toMatchObject({ code: 'invalid_definition' });
    expect(json).not.toHaveBeenCalled();
    json.mockRestore();
  });

  it('names the line where the text goes past 64 levels', () => {
    const text = `jobType: a\ntitle: b\nsteps:\n  - ${'['.repeat(80)}${']'.repeat(80)}\n`;
    expect(refusal(text)).toMatchObject({ details: [{ path: '', line: 4 }] });
  });

  it('counts 64 levels as within the limit and 65 as past it', () => {
    // The top mapping is one level, each [ one more.
    expect(deepestNesting(`steps: ${'['.repeat(63)}${']'.repeat(63)}`, 64)).toBeUndefined();
    expect(deepestNesting(`steps: ${'['.repeat(64)}${']'.repeat(64)}`, 64)).toEqual({ line: 1 });
    expect(deepestNesting(`${'['.repeat(64)}${']'.repeat(64)}`, 64)).toBeUndefined();
    expect(deepestNesting(`${'['.repeat(65)}${']'.repeat(65)}`, 64)).toEqual({ line: 1 });
  });

  it.each(SHIPPED)('passes the shipped %s workflow, as YAML and as JSON', (jobType) => {
    const file = readFileSync(join(__dirname, '../../../workflows', `${jobType}.yaml`), 'utf8');
    expect(deepestNesting(file, 64)).toBeUndefined();
    expect(deepestNesting(JSON.stringify(shippedWorkflow(jobType), null, 2), 64)).toBeUndefined();
  });

  it('reads brackets in quoted strings, comments, block scalars and plain text as text', () => {
    const many = '['.repeat(500);
    const text = [
      'jobType: a',
      `title: "${many}"`,
      `summary: '${many} it''s'`,
      `# ${many}`,
      `reason: see ${many}`,
      'when: >',
      `  ${many}`,
      `  ${many}`,
      'rules:',
      `  - when: 'facts.x in [[1], [2]]' # ${many}`,
      `    reason: it is ${many}`,
    ].join('\n');
    expect(deepestNesting(text, 64)).toBeUndefined();
    expect(deepestNesting(JSON.stringify({ title: many, when: `${many}]` }), 64)).toBeUndefined();
  });
});
