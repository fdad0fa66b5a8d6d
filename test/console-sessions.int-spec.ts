import { createHash } from 'node:crypto';
import { ConsoleSessionRepository } from '../apps/gateway/http/console-sessions.repository';
import { freshDatabase, TestDatabase } from './support/database';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const person = (principal: string) => ({
  principal,
  claims: { email: principal, groups: ['g'] },
  issuer: 'https://id',
});
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

/**
 * The console's sessions and sign-ins in the gateway's tables, as the services' role sees them
 * (docs/sign-in.md, The console): found by the sha256 of the cookie's value (never the value),
 * ended by sign-out, by idleness, by expiry or for a whole principal; a sign-in taken once; what
 * ended deleted, at its lookup or by the sweep.
 */
describe('the console sessions', () => {
  let db: TestDatabase;
  let sessions: ConsoleSessionRepository;
  const IDLE_SECONDS = 600;
  const rows = async () =>
    (
      await db
        .ownerPool()
        .query<{ id_sha256: string; principal: string }>('SELECT id_sha256, principal FROM console_sessions')
    ).rows;
  /** Moves a session's last use `seconds` into the past. */
  const idleFor = (id: string, seconds: number) =>
    db
      .ownerPool()
      .query('UPDATE console_sessions SET last_seen_at = now() - make_interval(secs => $2) WHERE id_sha256 = $1', [
        sha256(id),
        seconds,
      ]);

  beforeAll(async () => {
    db = await freshDatabase();
    sessions = new ConsoleSessionRepository(db.appPool(), IDLE_SECONDS);
  });
  afterAll(() => db?.drop());
  beforeEach(() => db.ownerPool().query('TRUNCATE console_sessions, console_logins'));

  it('keeps a session by the sha256 of its cookie value only, and finds it by the cookie value', async () => {
    const { id, session } = await sessions.open(person('ana@example.com'), inAnHour());
    const stored = await db.ownerPool().query<Record<string, unknown>>('SELECT * FROM console_sessions');
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]).toMatchObject({ id_sha256: sha256(id), principal: 'ana@example.com', idle_seconds: 600 });
    expect(JSON.stringify(stored.rows[0])).not.toContain(id);
    expect(await sessions.session(id)).toEqual(session);
    expect(await sessions.session(sha256(id))).toBeUndefined();
    expect(await sessions.session('not-a-session')).toBeUndefined();
    expect(await sessions.session(undefined)).toBeUndefined();
  });

  it('ends a session on sign-out: its cookie then finds nothing, and the row goes', async () => {
    const { id } = await sessions.open(person('ana@example.com'), inAnHour());
    await sessions.end(id);
    expect(await sessions.session(id)).toBeUndefined();
    expect(await rows()).toEqual([]);
  });

  it('ends a session unused for its idle time; a use keeps it going', async () => {
    const idle = await sessions.open(person('ana@example.com'), inAnHour());
    const used = await sessions.open(person('ana@example.com'), inAnHour());
    await idleFor(idle.id, IDLE_SECONDS - 5);
    await idleFor(used.id, IDLE_SECONDS - 5);
    // A use within the idle time finds the session and counts as its last use.
    expect(await sessions.session(used.id)).toBeDefined();
    await idleFor(idle.id, IDLE_SECONDS + 1);
    expect(await sessions.session(idle.id)).toBeUndefined();
    expect(await sessions.session(used.id)).toBeDefined();
    expect((await rows()).map((r) => r.id_sha256)).toEqual([sha256(used.id)]);
  });

  it('ends a session when its ID token expires, at most 12 hours after sign-in', async () => {
    const past = await sessions.open(person('ana@example.com'), Math.floor(Date.now() / 1000) - 1);
    expect(await sessions.session(past.id)).toBeUndefined();
    const far = await sessions.open(person('ana@example.com'), inAnHour() + 48 * 3600);
    expect(far.session.expiresAt).toBeLessThanOrEqual(Date.now() + 12 * 3600_000);
    expect(far.session.expiresAt).toBeGreaterThan(Date.now() + 12 * 3600_000 - 60_000);
  });

  it("ends every session of one principal, and no other's", async () => {
    const a1 = await sessions.open(person('ana@example.com'), inAnHour());
    const a2 = await sessions.open(person('ana@example.com'), inAnHour());
    const b = await sessions.open(person('bo@example.com'), inAnHour());
    expect(await sessions.endAll('ana@example.com')).toBe(2);
    expect(await sessions.session(a1.id)).toBeUndefined();
    expect(await sessions.session(a2.id)).toBeUndefined();
    expect(await sessions.session(b.id)).toBeDefined();
    expect(await sessions.endAll('ana@example.com')).toBe(0);
  });

  it('hands a sign-in in progress out once, by its state; an expired one not at all', async () => {
    const login = await sessions.startLogin();
    const stored = await db.ownerPool().query<{ state_sha256: string }>('SELECT state_sha256 FROM console_logins');
    expect(stored.rows).toEqual([{ state_sha256: sha256(login.state) }]);
    expect(await sessions.finishLogin(login.state)).toEqual({
      nonce: login.nonce,
      codeVerifier: login.codeVerifier,
      expiresAt: expect.any(Number),
    });
    expect(await sessions.finishLogin(login.state)).toBeUndefined();
    const late = await sessions.startLogin();
    await db.ownerPool().query("UPDATE console_logins SET expires_at = now() - interval '1 second'");
    expect(await sessions.finishLogin(late.state)).toBeUndefined();
  });

  it('sweeps away the sessions that ended and the sign-ins that expired, and keeps the live ones', async () => {
    const live = await sessions.open(person('ana@example.com'), inAnHour());
    const idle = await sessions.open(person('ana@example.com'), inAnHour());
    const revoked = await sessions.open(person('bo@example.com'), inAnHour());
    await sessions.open(person('cy@example.com'), Math.floor(Date.now() / 1000) - 1);
    await idleFor(idle.id, IDLE_SECONDS + 1);
    await sessions.end(revoked.id);
    await sessions.startLogin();
    const waiting = await sessions.startLogin();
    await db
      .ownerPool()
      .query("UPDATE console_logins SET expires_at = now() - interval '1 second' WHERE state_sha256 <> $1", [
        sha256(waiting.state),
      ]);
    await sessions.sweep();
    expect((await rows()).map((r) => r.id_sha256)).toEqual([sha256(live.id)]);
    const logins = await db.ownerPool().query<{ state_sha256: string }>('SELECT state_sha256 FROM console_logins');
    expect(logins.rows).toEqual([{ state_sha256: sha256(waiting.state) }]);
  });
});
