import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDefinitionText, unsetMcpVariables } from '@workgate/workflow';

/** The variable the shipped `agent-files` workflow's filesystem server is confined to. */
export const FILES_DIR_VARIABLE = 'WORKGATE_MCP_FILES_DIR';

export interface McpVariablesAtStart {
  /** What `npm start` set because nobody had (for the terminal). */
  defaulted: string[];
  /** Workflows of the directory whose MCP servers read a variable that is not set (logged at warn). */
  unset: string[];
}

/**
 * What `npm start` does for the MCP servers of the workflows it loads. `WORKGATE_MCP_FILES_DIR`,
 * when nobody set it, is `<data dir>/files` (created, empty): the shipped `agent-files` workflow
 * works on a fresh clone, and its filesystem server sees a sandbox of its own, never the user's
 * files. Any other `${WORKGATE_MCP_…}` a workflow reads and nobody set is named, file by file:
 * that system's calls would be refused until it is.
 */
export function prepareMcpVariables(
  workflowsDir: string,
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): McpVariablesAtStart {
  const defaulted: string[] = [];
  if (!env[FILES_DIR_VARIABLE]) {
    const dir = resolve(dataDir, 'files');
    mkdirSync(dir, { recursive: true });
    env[FILES_DIR_VARIABLE] = dir;
    defaulted.push(`${FILES_DIR_VARIABLE} is not set: the agent-files workflow's filesystem server sees ${dir}`);
  }
  let files: string[];
  try {
    files = readdirSync(workflowsDir)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .sort();
  } catch {
    return { defaulted, unset: [] };
  }
  const unset = files.flatMap((file) => {
    let definition: unknown;
    try {
      definition = parseDefinitionText(readFileSync(join(workflowsDir, file), 'utf8'));
    } catch {
      return []; // the policy service names what is wrong with it
    }
    return unsetMcpVariables(definition, env).map(
      ({ system, variables }) =>
        `${file}: system ${system} reads ${variables.join(', ')}, which ${variables.length === 1 ? 'is' : 'are'} not set: its MCP server cannot start, and every call to it is refused until ${variables.length === 1 ? 'it is' : 'they are'} set`,
    );
  });
  return { defaulted, unset };
}
