import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@workgate/config';
import { addPrincipal, untilKeyWorks } from '../cli/principal';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

/**
 * `npm run principal` while workgate runs (docs/api.md, Conventions (auth)): the new key works without a restart,
 * and by default it lands in a file git ignores, so adding one changes no tracked file.
 */
describe('principals added while workgate runs', () => {
  let t: TestWorkgate;
  let dir: string;
  let path: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wg-principals-live-'));
    path = join(dir, 'principals.yaml');
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: path } });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a key added with the principal command while it runs, and the file holds only its hash', async () => {
    const key = addPrincipal(path, 'late-approver', ['approver']);
    // How soon is a figure of docs/operations.md and not a check here: a starved machine may take longer.
    expect(await untilKeyWorks(t.url, key, 20_000)).toBe('works');
    const res = await fetch(`${t.url}/v1/approvals?owner=late-approver&status=requested`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(200);
    expect(readFileSync(path, 'utf8')).not.toContain(key);
  });

  it('says when no workgate answers', async () => {
    expect(await untilKeyWorks('http://127.0.0.1:1', 'wg_nothing', 500)).toBe('not_running');
  });

  it('writes by default to a file that git ignores', () => {
    const fallback = loadConfig({}).WORKGATE_PRINCIPALS;
    const root = join(__dirname, '..');
    // `git check-ignore` exits 0 when the path is ignored and 1 when not (execFileSync throws then).
    expect(() => execFileSync('git', ['check-ignore', '-q', fallback], { cwd: root })).not.toThrow();
    expect(execFileSync('git', ['ls-files', fallback], { cwd: root, encoding: 'utf8' })).toBe('');
  });
});
