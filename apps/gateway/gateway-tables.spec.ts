import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The gateway's state (apps/gateway/README.md): SQL only in its `*.repository.ts` files, and those
 * name only the tables the gateway owns. The views, dead letters and projection checkpoints are the
 * ledger's: the gateway asks the ledger for them over NATS.
 */
const ROOT = __dirname;
const OWN_TABLES = ['console_logins', 'console_sessions', 'idempotency_answers', 'tool_call_arguments'];
/** A statement's start, as SQL text in a string has it (not an HTTP method name alone). */
const SQL = /\b(SELECT\s+[\w"*(]|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s)/;
/** Tables another service owns, by the names their migrations give them. */
const OTHERS = /\b(view_\w+|dead_letters|projection_checkpoints|projection_parked_events|ledger_\w+)\b/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'web' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !/\.(int-|e2e-)?spec\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('the gateway’s tables', () => {
  const files = sources(ROOT).map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

  it('has SQL only in its repositories', () => {
    expect(files.length).toBeGreaterThan(50);
    const outside = files.filter((f) => !f.path.endsWith('.repository.ts') && SQL.test(f.text)).map((f) => f.path);
    expect(outside).toEqual([]);
    expect(files.filter((f) => f.path.endsWith('.repository.ts')).map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'http/console-sessions.repository.ts',
        'http/idempotency-answers.repository.ts',
        'mcp/tool-call-arguments.repository.ts',
      ]),
    );
  });

  it('names only its own tables in its SQL, and no table of another service anywhere', () => {
    const named = new Set<string>();
    for (const f of files.filter((file) => file.path.endsWith('.repository.ts')))
      for (const m of f.text.matchAll(/\b(?:FROM|INTO|UPDATE|JOIN)\s+([a-z_]+)/g)) named.add(m[1]);
    expect([...named].sort()).toEqual(OWN_TABLES);
    expect(files.filter((f) => OTHERS.test(f.text)).map((f) => f.path)).toEqual([]);
  });
});
