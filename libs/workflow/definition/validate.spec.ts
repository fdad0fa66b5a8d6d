import { parseDefinitionText } from './compile';
import { validateDefinition } from './validate';
import { SHIPPED, SHIPPED_CONTEXT, shippedWorkflow } from './test-fixtures';

/** A parsed definition as a test edits it: any field, valid or not. */
type Doc = Record<string, unknown>;
const isDoc = (value: unknown): value is Doc => typeof value === 'object' && value !== null;

/** The object at a dotted path (`systems.0`) of a definition. */
function objectAt(d: Doc, path: string): Doc {
  let here: unknown = d;
  for (const key of path.split('.')) here = isDoc(here) ? here[key] : undefined;
  if (!isDoc(here)) throw new Error(`the definition holds no object at ${path}`);
  return here;
}

/** The object holding the last field of a dotted path, and that field's name. */
function fieldAt(d: Doc, path: string): [Doc, string] {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? [d, path] : [objectAt(d, path.slice(0, dot)), path.slice(dot + 1)];
}

const set = (d: Doc, path: string, value: unknown): void => {
  const [object, field] = fieldAt(d, path);
  object[field] = value;
};
const unset = (d: Doc, path: string): void => {
  const [object, field] = fieldAt(d, path);
  delete object[field];
};
const push = (d: Doc, path: string, value: unknown): void => {
  const [object, field] = fieldAt(d, path);
  const list = object[field];
  if (!Array.isArray(list)) throw new Error(`the definition holds no list at ${path}`);
  list.push(value);
};

const valid = (): Doc => ({ ...shippedWorkflow('support-recovery') });
const problemsOf = (raw: unknown) => {
  const v = validateDefinition(raw, SHIPPED_CONTEXT);
  return v.ok ? [] : v.problems;
};

describe('validateDefinition', () => {
  it.each(SHIPPED)('accepts the shipped %s workflow', (jobType) => {
    expect(problemsOf(shippedWorkflow(jobType))).toEqual([]);
  });

  it.each<[string, (d: Doc) => void, string, RegExp]>([
    ['an unknown top-level key', (d) => set(d, 'colour', 'blue'), 'colour', /unknown key "colour"/],
    ['an unknown nested key', (d) => set(d, 'systems.0.delete', true), 'systems[0].delete', /unknown key "delete"/],
    ['an unknown key in a rule', (d) => set(d, 'rules.1.priority', 1), 'rules[1].priority', /unknown key/],
    ['bad CEL', (d) => set(d, 'rules.0.when', 'action.system ==== "x"'), 'rules[0].when', /not valid CEL/],
    [
      'CEL using an unknown variable',
      (d) => set(d, 'rules.0.when', 'user.admin == true'),
      'rules[0].when',
      /unknown variable "user"/,
    ],
    [
      'a rule naming a system outside the boundary',
      (d) => set(d, 'rules.0.when', 'action.system == "crm"'),
      'rules[0].when',
      /"crm", which is not in systems/,
    ],
    [
      'duplicate step ids',
      (d) => push(d, 'steps', { id: 'inspect-case', title: 'again' }),
      'steps',
      /step id "inspect-case" appears more than once/,
    ],
    [
      'duplicate rule ids',
      (d) => push(d, 'rules', { ...objectAt(d, 'rules.0') }),
      'rules',
      /rule id .* appears more than once/,
    ],
    [
      'duplicate systems',
      (d) => push(d, 'systems', { ...objectAt(d, 'systems.0') }),
      'systems',
      /system "helpdesk" appears more than once/,
    ],
    [
      'an exception code outside the catalog',
      (d) => push(d, 'exceptionCodes', 'CAT_ON_KEYBOARD'),
      'exceptionCodes[4]',
      /not in the exception-code catalog/,
    ],
    [
      'a bad ISO 8601 duration',
      (d) => set(d, 'approval.timeout', '24 hours'),
      'approval.timeout',
      /not a positive ISO 8601 duration/,
    ],
    [
      'a zero duration',
      (d) => set(d, 'breakGlass.postReviewDue', 'PT0S'),
      'breakGlass.postReviewDue',
      /not a positive ISO 8601 duration/,
    ],
    ['a timer under one second', (d) => set(d, 'approval.timeout', 'PT0.001S'), 'approval.timeout', /at least PT1S/],
    [
      'an MCP server that is a command and a url',
      (d) => set(d, 'systems.0.mcp', { command: 'node', url: 'https://x.example/mcp' }),
      'systems[0].mcp',
      /a command \(stdio\) or a url/,
    ],
    [
      'an MCP server that is neither',
      (d) => set(d, 'systems.0.mcp', { args: ['x'] }),
      'systems[0].mcp',
      /a command \(stdio\) or a url/,
    ],
    [
      'a token in plain text',
      (d) => set(d, 'systems.0.mcp', { url: 'https://x.example/mcp', headers: { Authorization: 'Bearer s3cr3t' } }),
      'systems[0].mcp.headers.Authorization',
      /secret in plain text/,
    ],
    [
      "a key in an MCP server's environment",
      (d) => set(d, 'systems.0.mcp', { command: 'node', env: { API_KEY: 'abc' } }),
      'systems[0].mcp.env.API_KEY',
      /secret in plain text/,
    ],
    [
      'a reference to a variable not meant for MCP servers',
      (d) => set(d, 'systems.0.mcp', { url: 'https://x.example/mcp?p=${WORKGATE_DB_PASSWORD}' }),
      'systems[0].mcp.url',
      /only read variables named WORKGATE_MCP_/,
    ],
    [
      'a secret taken from any variable',
      (d) => set(d, 'systems.0.mcp', { command: 'node', env: { API_KEY: '${DATABASE_URL}' } }),
      'systems[0].mcp.env.API_KEY',
      /only read variables named WORKGATE_MCP_/,
    ],
    [
      'an MCP system named with __',
      (d) => (set(d, 'systems.0.name', 'help__desk'), set(d, 'systems.0.mcp', { command: 'node' })),
      'systems[0].name',
      /may not hold "__"/,
    ],
    ['a timer over ten years', (d) => set(d, 'stallAfter', 'P99999W'), 'stallAfter', /at most P3650D/],
    [
      'a version past 2,147,483,647',
      (d) => set(d, 'version', 2_147_483_648),
      'version',
      /version must be at most 2147483647/,
    ],
    ['a version that is not an integer', (d) => set(d, 'version', '1'), 'version', /version must be an integer/],
    ['a fractional version', (d) => set(d, 'version', 1.5), 'version', /version must be an integer/],
    [
      'two stages producing the same artifact',
      (d) =>
        set(d, 'stages', [
          { id: 'a', artifact: 'brief', gate: 'g1' },
          { id: 'b', artifact: 'brief', gate: 'g2' },
        ]),
      'stages[1].artifact',
      /"brief" is already the artifact of stage "a"/,
    ],
    [
      'an overlay gate that is not an identifier',
      (d) => set(d, 'overlays', [{ id: 'o', when: 'true', gate: 'security review' }]),
      'overlays[0].gate',
      /gate must be an identifier/,
    ],
    ['a bad job type', (d) => set(d, 'jobType', 'Support Recovery'), 'jobType', /\[a-z0-9-\]\+/],
    [
      'an unknown decision',
      (d) => set(d, 'rules.0.decision', 'maybe'),
      'rules[0].decision',
      /one of the following values: run, wait, stop/,
    ],
    [
      'break-glass allowed without a reviewer',
      (d) => unset(d, 'breakGlass.reviewer'),
      'breakGlass.reviewer',
      /required when break-glass is allowed/,
    ],
    [
      'a prototype key',
      (d) => Object.defineProperty(d, '__proto__', { value: { x: 1 }, enumerable: true }),
      '__proto__',
      /not allowed/,
    ],
  ])('refuses %s, naming where', (_what, mutate, path, message) => {
    const d = valid();
    mutate(d);
    const problems = problemsOf(d);
    expect(problems).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('takes an MCP server whose secrets are environment references', () => {
    const d = valid();
    set(d, 'systems.0.mcp', {
      url: 'https://tracker.example/mcp',
      headers: { Authorization: '${WORKGATE_MCP_TRACKER_TOKEN}', 'X-Team': 'support' },
    });
    set(d, 'systems.1.mcp', {
      command: 'node',
      args: ['server.js', '${WORKGATE_MCP_WORKDIR}'],
      env: { API_KEY: '${WORKGATE_MCP_SHOP_KEY}', MODE: 'read-only' },
    });
    expect(problemsOf(d)).toEqual([]);
  });

  it('lists every problem at once', () => {
    const d = valid();
    set(d, 'colour', 'blue');
    set(d, 'version', 'two');
    set(d, 'rules.0.when', '((');
    push(d, 'steps', { id: 'inspect-case', title: 'dup' });
    push(d, 'exceptionCodes', 'NOPE');
    set(d, 'approval.timeout', 'soon');
    set(d, 'systems.1.write', 'order.note');
    const paths = problemsOf(d).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'colour',
        'version',
        'rules[0].when',
        'steps',
        'exceptionCodes[4]',
        'approval.timeout',
        'systems[1].write',
      ]),
    );
  });

  it('refuses what is not an object', () => {
    expect(problemsOf('jobType: x')).toEqual([{ path: '', message: 'a definition must be an object' }]);
    expect(problemsOf([])).toEqual([{ path: '', message: 'a definition must be an object' }]);
  });

  it('reads YAML and JSON alike', () => {
    const yaml = parseDefinitionText('jobType: a\nversion: 1\n');
    const json = parseDefinitionText('{"jobType":"a","version":1}');
    expect(yaml).toEqual(json);
    expect(() => parseDefinitionText('a: 1\na: 2\n')).toThrow(/unique/i);
  });
});
