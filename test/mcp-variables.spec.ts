import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILES_DIR_VARIABLE, prepareMcpVariables } from '../cli/mcp-variables';

const SHIPPED = join(__dirname, '..', 'workflows');

/** `npm start` and the MCP servers of the workflows it loads: a default sandbox for agent-files, a warning for any other unset variable. */
describe("npm start: the variables of the workflows' MCP servers", () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'wg-mcp-vars-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('gives the shipped agent-files workflow an empty sandbox under the data directory when WORKGATE_MCP_FILES_DIR is not set, and warns about nothing else', () => {
    const env: NodeJS.ProcessEnv = {};
    const result = prepareMcpVariables(SHIPPED, join(root, '.data'), env);
    const sandbox = join(root, '.data', 'files');
    expect(env[FILES_DIR_VARIABLE]).toBe(sandbox);
    expect(statSync(sandbox).isDirectory()).toBe(true);
    expect(readdirSync(sandbox)).toEqual([]);
    expect(result).toEqual({
      defaulted: [`WORKGATE_MCP_FILES_DIR is not set: the agent-files workflow's filesystem server sees ${sandbox}`],
      unset: [],
    });
  });

  it('leaves a WORKGATE_MCP_FILES_DIR that is set as it is', () => {
    const env: NodeJS.ProcessEnv = { [FILES_DIR_VARIABLE]: '/srv/agent-workspace' };
    expect(prepareMcpVariables(SHIPPED, join(root, '.data'), env)).toEqual({ defaulted: [], unset: [] });
    expect(env[FILES_DIR_VARIABLE]).toBe('/srv/agent-workspace');
    expect(existsSync(join(root, '.data'))).toBe(false);
  });

  it("names, file by file, every other variable a workflow's MCP server reads that is not set", () => {
    const dir = join(root, 'workflows');
    mkdirSync(dir);
    copyFileSync(join(SHIPPED, 'agent-files.yaml'), join(dir, 'agent-files.yaml'));
    writeFileSync(
      join(dir, 'tracker.yaml'),
      [
        'jobType: tracker',
        'version: 1',
        'systems:',
        '  - name: issues',
        '    mcp: { url: "https://tracker.example/mcp", headers: { Authorization: "${WORKGATE_MCP_TRACKER_TOKEN}" } }',
        '  - name: wiki',
        '    mcp: { command: node, args: [wiki.js, "${WORKGATE_MCP_WIKI_DIR}"], env: { WIKI_KEY: "${WORKGATE_MCP_WIKI_KEY}" } }',
        '  - name: shop',
        '    read: true',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'broken.yaml'), 'jobType: [unclosed');
    const env: NodeJS.ProcessEnv = { WORKGATE_MCP_WIKI_DIR: '/srv/wiki' };
    expect(prepareMcpVariables(dir, join(root, '.data'), env).unset).toEqual([
      'tracker.yaml: system issues reads WORKGATE_MCP_TRACKER_TOKEN, which is not set: its MCP server cannot start, and every call to it is refused until it is set',
      'tracker.yaml: system wiki reads WORKGATE_MCP_WIKI_KEY, which is not set: its MCP server cannot start, and every call to it is refused until it is set',
    ]);
  });

  it('takes a WORKGATE_MCP_FILES_DIR set empty as not set', () => {
    // An empty value counts as not set: the filesystem server cannot start on "".
    const env: NodeJS.ProcessEnv = { [FILES_DIR_VARIABLE]: '' };
    const result = prepareMcpVariables(SHIPPED, join(root, '.data'), env);
    expect(result.unset).toEqual([]);
    expect(env[FILES_DIR_VARIABLE]).toBe(join(root, '.data', 'files'));
  });
});
