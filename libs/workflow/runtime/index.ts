/**
 * The runtime (docs/policy.md, Deciding): run / wait / stop for one action against a compiled
 * workflow, and the MCP servers' `${WORKGATE_MCP_…}` variables read from the environment.
 */
export * from './mcp-variables';
export * from './decide';
