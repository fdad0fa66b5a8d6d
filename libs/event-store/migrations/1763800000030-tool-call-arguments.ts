import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The arguments of the MCP gateway's tool calls that wait for an approval, by the SHA-256 the
 * approval is bound to (RFC 8785 JSON, kept as that text so the hash can be checked again): what
 * the approval's card shows. Content-addressed: the same arguments are one row.
 */
export class ToolCallArguments1763800000030 implements MigrationInterface {
  name = 'ToolCallArguments1763800000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tool_call_arguments (
        arguments_sha256 text        PRIMARY KEY,
        canonical        text        NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('GRANT SELECT, INSERT ON tool_call_arguments TO workgate_app');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE tool_call_arguments');
  }
}
