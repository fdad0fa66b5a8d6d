import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../cli/infra';
import { parsePostgresUrl } from '@workgate/config';
import { TEST_PG_URL } from '../../test/support/env';
import { createPool } from './pg';

/**
 * The host list's order (docs/operations.md, Running a fleet): a host that refuses connections (a
 * server that is down) is passed over for the next one, whichever comes after it, for every
 * session the pool opens. The real Postgres is the only server here; the refusing hosts are free
 * loopback ports nothing listens on.
 */
describe('a host list whose first hosts refuse connections', () => {
  const real = parsePostgresUrl(TEST_PG_URL).hosts[0];
  const realServer = `${real.host}:${real.port ?? 5432}`;
  const listed = (hosts: string[], params: string) => TEST_PG_URL.replace(realServer, hosts.join(',')) + params;

  it.each([
    ['any', '?connect_timeout=2'],
    ['read-write', '?target_session_attrs=read-write&connect_timeout=2'],
    ['read-write, no connect_timeout', '?target_session_attrs=read-write'],
  ])('reaches the server listed after them (%s), for each of several sessions at once', async (_, params) => {
    const down = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    const pool = createPool(listed([...down, realServer], params), { max: 4 });
    try {
      const ports = await Promise.all(
        Array.from({ length: 4 }, () => pool.query<{ port: number }>('SELECT inet_server_port() AS port')),
      );
      expect(ports.map((r) => r.rows[0].port)).toEqual(Array(4).fill(real.port ?? 5432));
    } finally {
      await pool.end();
    }
  });

  // The services run the built code in plain Node, where a refused socket reports its end later than under jest.
  it('reaches the server listed after them in a service process (the built code, plain Node)', async () => {
    const url = listed(
      [`127.0.0.1:${await freePort()}`, realServer],
      '?target_session_attrs=read-write&connect_timeout=2',
    );
    const probe = `
      const { createPool } = require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'libs', 'event-store'))});
      const pool = createPool(process.env.URL, { max: 2 });
      Promise.all([1, 2].map(() => pool.query('SELECT inet_server_port() AS port')))
        .then((rs) => process.stdout.write(JSON.stringify(rs.map((r) => r.rows[0].port))), (e) => process.stdout.write(e.message))
        .finally(() => pool.end());`;
    const answer = execFileSync(process.execPath, ['-e', probe], {
      env: { ...process.env, URL: url },
      encoding: 'utf8',
    });
    expect(answer).toBe(JSON.stringify([real.port ?? 5432, real.port ?? 5432]));
  });

  it('names every host and why when none answers', async () => {
    const down = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    const pool = createPool(listed(down, '?target_session_attrs=read-write&connect_timeout=2'), { max: 1 });
    try {
      await expect(pool.query('SELECT 1')).rejects.toThrow(
        `no host of the database URL took a read-write session: ${down[0]} did not answer: connect ECONNREFUSED ${down[0]}; ${down[1]} did not answer: connect ECONNREFUSED ${down[1]}`,
      );
    } finally {
      await pool.end();
    }
  });
});
