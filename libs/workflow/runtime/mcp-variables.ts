import type { McpServerConfig } from '@workgate/contracts';
import { fieldsOf, isFields, listOf } from '../definition/arrived';

const REFERENCE = /\$\{(WORKGATE_MCP_[A-Za-z0-9_]+)\}/g;

/** The values of a map as it arrived (env, headers), or none. */
const valuesOf = (value: unknown): unknown[] => (isFields(value) ? Object.values(value) : []);

/**
 * Every string of an MCP server's configuration, validated or as it arrived: its command, args,
 * env values, url and header values.
 */
function mcpServerStrings(mcp: McpServerConfig | Readonly<Record<string, unknown>>): string[] {
  return [mcp.command, ...listOf(mcp.args), ...valuesOf(mcp.env), mcp.url, ...valuesOf(mcp.headers)].filter(
    (s): s is string => typeof s === 'string',
  );
}

/** The `${WORKGATE_MCP_…}` variables an MCP server's configuration reads from workgate's environment, in order, once each. */
export function mcpServerVariables(mcp: McpServerConfig | Readonly<Record<string, unknown>>): string[] {
  const names = new Set<string>();
  for (const value of mcpServerStrings(mcp)) for (const [, name] of value.matchAll(REFERENCE)) names.add(name);
  return [...names];
}

/** `${WORKGATE_MCP_NAME}` in a value, read from `env`; one that is not set stays as written. */
export function withMcpVariables(value: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(REFERENCE, (whole, name: string) => env[name] ?? whole);
}

/** The MCP systems of a definition (parsed, validated or not) whose configuration reads a variable `env` does not set. */
export function unsetMcpVariables(
  definition: unknown,
  env: NodeJS.ProcessEnv = process.env,
): Array<{ system: string; variables: string[] }> {
  return listOf(fieldsOf(definition).systems).flatMap((raw) => {
    const s = fieldsOf(raw);
    if (!isFields(s.mcp)) return [];
    const variables = mcpServerVariables(s.mcp).filter((name) => !env[name]);
    return variables.length ? [{ system: String(s.name), variables }] : [];
  });
}
