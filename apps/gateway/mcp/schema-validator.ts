import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';

/**
 * One JSON Schema validator for every MCP server workgate builds. A server is built per HTTP
 * request (stateless streamable HTTP), and the SDK would otherwise set up a fresh Ajv, with all
 * its vocabularies, for each one.
 */
export const SCHEMA_VALIDATOR = new AjvJsonSchemaValidator();
