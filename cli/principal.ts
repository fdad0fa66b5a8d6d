import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { loadConfigOrExit } from '@workgate/config';

const ROLES = ['integrator', 'operator', 'approver', 'analyst', 'ops-lead', 'admin'];

/**
 * `npm run principal -- <id> <role>[,<role>...]`: creates an API key for a principal, stores only
 * its sha256 in the principals file (WORKGATE_PRINCIPALS) and prints the key once.
 */
function main(): void {
  const [id, rolesArg] = process.argv.slice(2);
  const roles = (rolesArg ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  if (!id || !/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/.test(id) || roles.length === 0 || roles.some((r) => !ROLES.includes(r))) {
    process.stderr.write(`usage: npm run principal -- <id> <role>[,<role>...]\n  roles: ${ROLES.join(', ')}\n`);
    process.exit(2);
  }
  const path = loadConfigOrExit().WORKGATE_PRINCIPALS;
  const doc = parseDocument(existsSync(path) ? readFileSync(path, 'utf8') : 'principals: []\n');
  const principals = (doc.get('principals') as { items?: unknown[] } | undefined) ?? doc.createNode([]);
  const list = (doc.toJS().principals ?? []) as Array<{ id: string }>;
  if (list.some((p) => p.id === id)) {
    process.stderr.write(`principal ${id} already exists in ${path}; remove it first to issue a new key\n`);
    process.exit(1);
  }
  const key = `wg_${randomBytes(24).toString('base64url')}`;
  const entry = doc.createNode({ id, roles, apiKeySha256: createHash('sha256').update(key).digest('hex') });
  (entry as { flow?: boolean }).flow = true;
  (principals as { items: unknown[]; flow?: boolean }).items.push(entry);
  (principals as { flow?: boolean }).flow = false;
  doc.set('principals', principals);
  writeFileSync(path, doc.toString());
  process.stdout.write(`added ${id} (${roles.join(', ')}) to ${path}\nAPI key (shown once, stored only as sha256):\n${key}\n`);
}

main();
