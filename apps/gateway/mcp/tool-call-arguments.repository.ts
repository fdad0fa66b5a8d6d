import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { GatewayDatabase } from '../gateway-database.repository';

/**
 * The arguments of tool calls that wait for an approval, by the SHA-256 of their RFC 8785 JSON (the
 * hash the approval is bound to), kept as that JSON: an approval's card shows them. A row is kept
 * only when its text hashes to its key, so what a card shows is what the approval releases.
 */
@Injectable()
export class ToolCallArgumentsRepository {
  constructor(private readonly db: GatewayDatabase) {}

  async keep(argumentsSha256: string, canonical: string): Promise<void> {
    if (createHash('sha256').update(canonical).digest('hex') !== argumentsSha256)
      throw new Error('the arguments do not hash to the hash they are kept under');
    await this.db.pool.query(
      'INSERT INTO tool_call_arguments (arguments_sha256, canonical) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [argumentsSha256, canonical],
    );
  }

  /** The kept arguments of each hash found (their RFC 8785 JSON, by hash). */
  async read(hashes: readonly string[]): Promise<Map<string, string>> {
    if (hashes.length === 0) return new Map();
    const { rows } = await this.db.pool.query<{ arguments_sha256: string; canonical: string }>(
      'SELECT arguments_sha256, canonical FROM tool_call_arguments WHERE arguments_sha256 = ANY($1)',
      [[...new Set(hashes)]],
    );
    return new Map(rows.map((r) => [r.arguments_sha256, r.canonical]));
  }
}
