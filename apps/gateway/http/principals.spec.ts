import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { WatchedPrincipalDirectory } from './principals';

const entry = (id: string, key: string) =>
  `  - { id: ${id}, roles: [approver], apiKeySha256: ${createHash('sha256').update(key).digest('hex')} }`;

describe('WatchedPrincipalDirectory', () => {
  let dir: string;
  let path: string;
  let directory: WatchedPrincipalDirectory | undefined;
  let logged: jest.SpyInstance;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wg-principals-'));
    path = join(dir, 'principals.yaml');
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    directory?.onApplicationShutdown();
    directory = undefined;
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the file again on SIGHUP, and stops listening at shutdown', () => {
    writeFileSync(path, `principals:\n${entry('ann', 'key-ann')}\n`);
    const listeners = process.listenerCount('SIGHUP');
    // A watch interval far longer than the test: only the signal can make it read the file.
    directory = new WatchedPrincipalDirectory(path, 3_600_000);
    expect(directory.byApiKey('key-ann')?.id).toBe('ann');
    writeFileSync(path, `principals:\n${entry('ann', 'key-ann')}\n${entry('bob', 'key-bob')}\n`);
    expect(directory.byApiKey('key-bob')).toBeUndefined();
    process.emit('SIGHUP', 'SIGHUP');
    expect(directory.byApiKey('key-bob')?.id).toBe('bob');
    directory.onApplicationShutdown();
    expect(process.listenerCount('SIGHUP')).toBe(listeners);
  });

  it('keeps the principals it has when the file turns invalid, and names the problem', () => {
    writeFileSync(path, `principals:\n${entry('ann', 'key-ann')}\n`);
    directory = new WatchedPrincipalDirectory(path, 3_600_000);
    writeFileSync(path, `principals:\n  - { id: ann, roles: [pope], apiKeySha256: nope }\n`);
    expect(directory.reload()).toBe(false);
    expect(directory.byApiKey('key-ann')?.id).toBe('ann');
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('unknown role "pope"'));
  });

  it('refuses to start from an invalid file', () => {
    writeFileSync(path, 'principals: nope\n');
    expect(() => new WatchedPrincipalDirectory(path)).toThrow('"principals" must be a list');
  });

  it('picks up a file that appears after the start', async () => {
    directory = new WatchedPrincipalDirectory(path, 50);
    expect(directory.size).toBe(0);
    writeFileSync(path, `principals:\n${entry('ann', 'key-ann')}\n`);
    for (let i = 0; i < 100 && !directory.byApiKey('key-ann'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(directory.byApiKey('key-ann')?.id).toBe('ann');
  });
});
