import { isFields } from './arrived';
import type { Problem } from './problem';

/** Names that hold secrets: their values must reference an environment variable. */
const SECRET_NAME = /key|token|secret|passw|auth|credential|cookie|session/i;
/** What a workflow may read of workgate's environment: only variables the operator named for MCP servers. */
export const MCP_ENV_PREFIX = 'WORKGATE_MCP_';
const ENV_REFERENCE = /^\$\{WORKGATE_MCP_[A-Za-z0-9_]+\}$/;
const ANY_REFERENCE = /\$\{([^}]*)\}/g;

/** Every string an MCP server's configuration holds, with its path. */
function mcpStrings(m: Record<string, unknown>, path: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [field, value] of Object.entries(m)) {
    if (typeof value === 'string') out.push([`${path}.${field}`, value]);
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value))
        if (typeof v === 'string') out.push([`${path}.${field}${Array.isArray(value) ? `[${k}]` : `.${k}`}`, v]);
  }
  return out;
}

/**
 * An MCP system's problems: a process (command) or a URL, not both; no secret written in plain
 * text; `${NAME}` references only to variables named WORKGATE_MCP_* (a workflow never reads the
 * database password or any other variable of workgate's).
 */
export function mcpProblems(mcp: unknown, path: string): Problem[] {
  if (!isFields(mcp)) return [];
  const m = mcp;
  const problems: Problem[] = [];
  if ((m.command === undefined) === (m.url === undefined))
    problems.push({ path, message: 'an MCP server is a command (stdio) or a url (streamable HTTP), one of them' });
  if (m.command !== undefined && m.headers !== undefined)
    problems.push({ path: `${path}.headers`, message: 'headers go with a url, not a command' });
  if (m.url !== undefined && (m.args !== undefined || m.env !== undefined))
    problems.push({ path, message: 'args and env go with a command, not a url' });
  for (const [at, value] of mcpStrings(m, path)) {
    for (const [, name] of value.matchAll(ANY_REFERENCE)) {
      if (!name.startsWith(MCP_ENV_PREFIX) || !/^[A-Za-z0-9_]+$/.test(name))
        problems.push({
          path: at,
          message: `references \${${name}}: a workflow may only read variables named ${MCP_ENV_PREFIX}…`,
        });
    }
  }
  for (const field of ['env', 'headers'] as const) {
    const values = m[field];
    if (values === undefined || values === null || typeof values !== 'object') continue;
    for (const [name, value] of Object.entries(values)) {
      if (typeof value !== 'string') problems.push({ path: `${path}.${field}.${name}`, message: 'must be a string' });
      else if (SECRET_NAME.test(name) && !ENV_REFERENCE.test(value))
        problems.push({
          path: `${path}.${field}.${name}`,
          message:
            'holds a secret in plain text: reference an environment variable instead, e.g. "${WORKGATE_MCP_TRACKER_TOKEN}"',
        });
    }
  }
  return problems;
}
