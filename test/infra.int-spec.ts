import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ensurePostgres } from '../cli/infra';
import { TEST_PG_URL } from './support/env';

describe('ensurePostgres with a Unix socket directory as the host', () => {
  let socketDir: string;
  let port: number;

  beforeAll(async () => {
    const client = new Client({ connectionString: TEST_PG_URL });
    await client.connect();
    const { rows } = await client.query<{ dirs: string; port: string }>(
      "SELECT current_setting('unix_socket_directories') AS dirs, current_setting('port') AS port",
    );
    await client.end();
    socketDir = rows[0].dirs.split(',')[0].trim();
    port = Number(rows[0].port);
  });

  it('uses the Postgres answering at the socket, and starts none', async () => {
    const url = `postgres://${encodeURIComponent(socketDir)}:${port}/postgres`;
    const dataDir = mkdtempSync(join(tmpdir(), 'wg-infra-'));
    try {
      await expect(ensurePostgres(url, dataDir, () => undefined)).resolves.toBeUndefined();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('says so when nothing answers at the socket, instead of starting a server there', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'wg-socket-'));
    try {
      await expect(
        ensurePostgres(`postgres://${encodeURIComponent(empty)}/workgate`, empty, () => undefined),
      ).rejects.toThrow(`nothing answers at the Unix socket ${join(empty, '.s.PGSQL.5432')}`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
