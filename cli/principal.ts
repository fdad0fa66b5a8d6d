import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isSeq, parseDocument, YAMLSeq } from 'yaml';
import { loadConfigOrExit } from '@workgate/config';
import { isPlainObject } from '@workgate/contracts';

const ROLES = ['integrator', 'operator', 'approver', 'analyst', 'ops-lead', 'admin'];
/** How long to wait for a running workgate to pick the key up (it checks the file every half second). */
const WORKS_WITHIN_MS = 5_000;

/**
 * Adds a principal with a new API key to the principals file at `path` (created when missing)
 * and returns the key; only its sha256 is written. The file is replaced in one rename, so a
 * workgate reading it never sees half of it.
 */
export function addPrincipal(path: string, id: string, roles: string[]): string {
  return addPrincipals(path, [{ id, roles }])[0];
}

/**
 * Adds each principal with a new API key in one replacement of the file, and returns the keys in
 * the same order: a workgate that accepts one of them accepts them all.
 */
export function addPrincipals(path: string, entries: Array<{ id: string; roles: string[] }>): string[] {
  if (entries.length === 0) return [];
  const doc = parseDocument(existsSync(path) ? readFileSync(path, 'utf8') : 'principals: []\n');
  const found = doc.get('principals');
  const principals = isSeq(found) ? found : new YAMLSeq();
  const js: unknown = doc.toJS();
  const list: unknown[] = isPlainObject(js) && Array.isArray(js.principals) ? js.principals : [];
  const keys = entries.map(({ id, roles }) => {
    if (list.some((p) => isPlainObject(p) && p.id === id))
      throw new Error(`principal ${id} already exists in ${path}; remove it first to issue a new key`);
    list.push({ id });
    const key = `wg_${randomBytes(24).toString('base64url')}`;
    const entry = doc.createNode({ id, roles, apiKeySha256: createHash('sha256').update(key).digest('hex') });
    entry.flow = true;
    principals.items.push(entry);
    return key;
  });
  principals.flow = false;
  doc.set('principals', principals);
  mkdirSync(dirname(path), { recursive: true });
  const next = `${path}.${process.pid}.tmp`;
  // The file keeps its permissions (workgate may run as another user that must read it).
  writeFileSync(next, doc.toString(), existsSync(path) ? { mode: statSync(path).mode & 0o777 } : {});
  renameSync(next, path);
  return keys;
}

/**
 * Whether a workgate at `url` accepts `key`: 'works' once it answers anything but 401, 'unknown'
 * when it still refuses the key after `withinMs`, 'not_running' when nothing answers there.
 */
export async function untilKeyWorks(
  url: string,
  key: string,
  withinMs = WORKS_WITHIN_MS,
): Promise<'works' | 'unknown' | 'not_running'> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    let status: number;
    try {
      const res = await fetch(`${url}/v1/workflows`, {
        headers: { Authorization: `Bearer ${key}` },
        signal: AbortSignal.timeout(2_000),
      });
      status = res.status;
      await res.body?.cancel();
    } catch {
      return 'not_running';
    }
    if (status !== 401) return 'works';
    if (Date.now() >= deadline) return 'unknown';
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * `npm run principal -- <id> <role>[,<role>...]`: creates an API key for a principal, stores only
 * its sha256 in the principals file (WORKGATE_PRINCIPALS, by default the git-ignored
 * config/principals.local.yaml), prints the key once and says whether the running workgate
 * already accepts it.
 */
async function main(): Promise<void> {
  const [id, rolesArg] = process.argv.slice(2);
  const roles = (rolesArg ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (!id || !/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/.test(id) || roles.length === 0 || roles.some((r) => !ROLES.includes(r))) {
    process.stderr.write(
      `usage: npm run principal -- <id> <role>[,<role>...]\n  roles: ${ROLES.join(', ')}\n` +
        `  the id is the name workflows give (an approver's id is the owner it decides for, e.g. support-lead)\n`,
    );
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const path = config.WORKGATE_PRINCIPALS;
  let key: string;
  try {
    key = addPrincipal(path, id, roles);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `added ${id} (${roles.join(', ')}) to ${path}\nAPI key (shown once, stored only as sha256):\n${key}\n`,
  );
  if (roles.includes('approver'))
    process.stderr.write(
      `${id} decides the approvals that wait for "${id}": a workflow's owner (owner: ${id}), or a system's or stage's\n`,
    );
  process.stderr.write(
    "a principal's id must equal the name a workflow gives its owner: an approval waits for exactly that id\n",
  );
  const url = process.env.WORKGATE_URL ?? `http://127.0.0.1:${config.PORT}`;
  const works = await untilKeyWorks(url, key);
  const said = {
    works: `the key works now at ${url}\n`,
    unknown: `workgate at ${url} does not accept the key yet: does it read ${path} (WORKGATE_PRINCIPALS)?\n`,
    not_running: `no workgate answers at ${url}; the key works once it runs with WORKGATE_PRINCIPALS=${path}\n`,
  };
  process.stderr.write(said[works]);
}

if (require.main === module) void main();
