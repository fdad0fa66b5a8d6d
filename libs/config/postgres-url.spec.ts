import fc from 'fast-check';
import { loadConfig } from './config-load';
import {
  databaseUrlProblem,
  formatPostgresUrl,
  isHostList,
  parsePostgresUrl,
  postgresEndpoint,
  PostgresHost,
  PostgresUrl,
  redactPostgresUrl,
} from './postgres-url';

const RUNS = Math.max(500, Number(process.env.WORKGATE_PROPERTY_RUNS ?? 0));

// Any text, including the characters a URI gives a meaning to (@ : / , ? & = % [ ] #) and non-ASCII.
const anyText = fc.string({ unit: fc.constantFrom(...'ab:@/,?&=%[]#+ é1-_.~'), minLength: 1, maxLength: 12 });
const hostName = fc.oneof(
  fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,6}){0,2}$/),
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom('/var/run/postgresql', '/tmp/pg sockets'),
);
const host: fc.Arbitrary<PostgresHost> = fc.record(
  { host: hostName, port: fc.integer({ min: 1, max: 65535 }) },
  { requiredKeys: ['host'] },
);
const components: fc.Arbitrary<PostgresUrl> = fc.record(
  {
    scheme: fc.constantFrom('postgres' as const, 'postgresql' as const),
    user: anyText,
    password: fc.oneof(anyText, fc.constant('')),
    hosts: fc.array(host, { minLength: 1, maxLength: 4 }),
    database: anyText,
    params: fc.array(
      fc.oneof(
        fc.tuple(fc.constant('target_session_attrs'), fc.constantFrom('any', 'read-write', 'primary', 'prefer-standby')),
        fc.tuple(fc.constant('connect_timeout'), fc.integer({ min: 0, max: 120 }).map(String)),
        fc.tuple(fc.constantFrom('sslmode', 'application_name', 'options'), anyText),
      ),
      { maxLength: 4 },
    ),
  },
  { requiredKeys: ['scheme', 'hosts', 'params'] },
).filter((u) => u.password === undefined || u.user !== undefined);

/** The obviously right writer: every part percent-encoded whole, IPv6 in brackets, as libpq's documentation spells it. */
function reference(u: PostgresUrl): string {
  const e = encodeURIComponent;
  const userinfo = u.user === undefined ? '' : `${e(u.user)}${u.password === undefined ? '' : `:${e(u.password)}`}@`;
  const hosts = u.hosts
    .map((h) => `${h.host.includes(':') ? `[${h.host}]` : e(h.host)}${h.port === undefined ? '' : `:${h.port}`}`)
    .join(',');
  const query = u.params.map(([k, v]) => `${e(k)}=${e(v)}`).join('&');
  return `${u.scheme}://${userinfo}${hosts}/${u.database === undefined ? '' : e(u.database)}${query ? `?${query}` : ''}`;
}

describe('the libpq connection URI', () => {
  it('reads every part of a generated URI as it was written', () => {
    fc.assert(
      fc.property(components, (u) => {
        expect(parsePostgresUrl(reference(u))).toEqual(u);
        expect(isHostList(reference(u))).toBe(u.hosts.length > 1);
      }),
      { numRuns: RUNS },
    );
  });

  it('writes back what it reads', () => {
    fc.assert(
      fc.property(components, (u) => expect(parsePostgresUrl(formatPostgresUrl(u))).toEqual(u)),
      { numRuns: RUNS },
    );
  });

  // (WHATWG URL writes IPv6 addresses shorter, has no Unix socket directories, and reads a database
  // named `.` or `..` as a path's dot segment.)
  it('reads a one-host URI as WHATWG URL does', () => {
    const oneHost = components.filter(
      (u) => u.hosts.length === 1 && !/^\/|:/.test(u.hosts[0].host) && !['.', '..'].includes(u.database ?? ''),
    );
    fc.assert(
      fc.property(oneHost, (u) => {
        const text = reference(u);
        const whatwg = new URL(text);
        const ours = parsePostgresUrl(text);
        expect(ours.user ?? '').toBe(decodeURIComponent(whatwg.username));
        expect(ours.password ?? '').toBe(decodeURIComponent(whatwg.password));
        expect(ours.hosts[0].host).toBe(whatwg.hostname);
        expect(String(ours.hosts[0].port ?? '')).toBe(whatwg.port);
        expect(ours.database ?? '').toBe(decodeURIComponent(whatwg.pathname.slice(1)));
        expect(ours.params).toEqual([...whatwg.searchParams]);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads the documented fleet example', () => {
    expect(
      parsePostgresUrl('postgres://workgate:s%40cret@db-a:5432,db-b:5433,[::1]/workgate?target_session_attrs=read-write&connect_timeout=3'),
    ).toEqual({
      scheme: 'postgres',
      user: 'workgate',
      password: 's@cret',
      hosts: [{ host: 'db-a', port: 5432 }, { host: 'db-b', port: 5433 }, { host: '::1' }],
      database: 'workgate',
      params: [
        ['target_session_attrs', 'read-write'],
        ['connect_timeout', '3'],
      ],
    });
  });

  it.each([
    ['mysql://a,b/db', /postgres:\/\//],
    ['postgres://a:5432,/db', /host 2 of the host list is empty/],
    ['postgres://a:5432,b:x/db', /host 2 \(b:x\) has a port that is not a number from 1 to 65535/],
    ['postgres://a:5432,b:70000/db', /host 2 .* not a number from 1 to 65535/],
    ['postgres://a,::1/db', /IPv6 address without \[brackets\]/],
    ['postgres://a,b/db?target_session_attrs=writable', /target_session_attrs must be one of any, read-write/],
    ['postgres://a,b/db?connect_timeout=soon', /connect_timeout must be a whole number of seconds/],
    ['postgres://a,b/db?sslmode', /"sslmode" is not key=value/],
    ['postgres://a,b/d%zz', /database name has a bad percent-encoding/],
    ['postgres://a,b/db#x', /percent-encode it as %23/],
  ])('refuses %s with a message saying what is wrong', (text, message) => {
    expect(databaseUrlProblem(text)).toMatch(message);
    expect(() => loadConfig({ DATABASE_URL: text })).toThrow(message);
  });

  it('is accepted by the configuration with a host list, and unchanged', () => {
    const text = 'postgresql://u@10.0.0.1:5432,10.0.0.2:5432/workgate?target_session_attrs=read-write';
    expect(loadConfig({ DATABASE_URL: text }).DATABASE_URL).toBe(text);
    expect(databaseUrlProblem('postgres://root@127.0.0.1:5432/postgres')).toBeUndefined();
  });

  it('redacts the password and names the servers', () => {
    expect(redactPostgresUrl('postgres://u:pw@a:1,b:2/db?target_session_attrs=any')).toBe(
      'postgres://u:***@a:1,b:2/db?target_session_attrs=any',
    );
    expect(redactPostgresUrl('postgres://u:pw@a:1/db')).toBe('postgres://u:***@a:1/db');
    expect(postgresEndpoint('postgres://u:pw@a:1,b:2/db?x=y')).toBe('a:1,b:2/db');
    // One host: as it was always named (ledger checkpoint files are keyed by it).
    expect(postgresEndpoint('postgres://u:pw@127.0.0.1:5432/workgate')).toBe('127.0.0.1:5432/workgate');
  });
});
