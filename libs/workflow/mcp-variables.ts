import type { McpServerConfig } from '@workgate/contracts';

const REFERENCE = /\$\{(WORKGATE_MCP_[A-Za-z0-9_]+)\}/g;

/** Every string of an MCP server's configuration: its command, args, env values, url and header values. */
function mcpServerStrings(mcp: McpServerConfig): string[] {
  return [
    mcp.command,
    ...(mcp.args ?? []),
    ...Object.values(mcp.env ?? {}),
    mcp.url,
    ...Object.values(mcp.headers ?? {}),
  ].filter((s): s is string => typeof s === 'string');
}

/** The `${WORKGATE_MCP_…}` variables an MCP server's configuration reads from workgate's environment, in order, once each. */
export function mcpServerVariables(mcp: McpServerConfig): string[] {
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
  const systems = (definition as { systems?: unknown } | null)?.systems;
  if (!Array.isArray(systems)) return [];
  return systems.flatMap((s: { name?: unknown; mcp?: unknown }) => {
    if (s === null || typeof s !== 'object' || s.mcp === null || typeof s.mcp !== 'object') return [];
    const variables = mcpServerVariables(s.mcp as McpServerConfig).filter((name) => !env[name]);
    return variables.length ? [{ system: String(s.name), variables }] : [];
  });
}
