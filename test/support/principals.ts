import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestRole = 'integrator' | 'operator' | 'approver' | 'analyst' | 'ops-lead' | 'admin';

/** A principals file with one principal per role set, and the plain keys to call with. */
export function writePrincipals(principals: Record<string, TestRole[]>): {
  path: string;
  keys: Record<string, string>;
} {
  const keys: Record<string, string> = {};
  const lines = ['principals:'];
  for (const [id, roles] of Object.entries(principals)) {
    const key = `wg_test_${randomBytes(16).toString('hex')}`;
    keys[id] = key;
    lines.push(
      `  - { id: ${id}, roles: [${roles.join(', ')}], apiKeySha256: ${createHash('sha256').update(key).digest('hex')} }`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'wg-principals-'));
  const path = join(dir, 'principals.yaml');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, keys };
}

/** fetch with a principal's key. */
export function client(baseUrl: string, key?: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(key ? { Authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text, headers: res.headers };
  };
}

/** fetch with each principal's key: a caller per principal id. */
export function clientsFor(baseUrl: string, keys: Record<string, string>): Record<string, ReturnType<typeof client>> {
  return Object.fromEntries(Object.entries(keys).map(([id, key]) => [id, client(baseUrl, key)]));
}
