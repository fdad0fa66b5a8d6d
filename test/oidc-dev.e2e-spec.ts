import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { jsonOf } from './support/guards';

/** `npm run oidc:dev`: the tests' provider on loopback, with the settings to start workgate with (docs/sign-in.md). */
describe('npm run oidc:dev', () => {
  it('serves a discovery document on 127.0.0.1 and prints how to start workgate against it, until stopped', async () => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'scripts', 'oidc-dev.mjs'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, PORT: '3999' },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const lines: string[] = [];
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          lines.push(line);
          if (line.startsWith('then open')) resolve();
        });
        child.once('exit', () => reject(new Error(`oidc:dev exited: ${lines.join('\n')}`)));
      });
      const issuer = /^test OpenID provider at (http:\/\/127\.0\.0\.1:\d+) /.exec(lines[0])?.[1];
      expect(issuer).toBeDefined();
      const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      expect(await jsonOf(discovery)).toMatchObject({ issuer });
      expect(lines).toContain(
        `  WORKGATE_OIDC_ISSUER=${issuer} WORKGATE_OIDC_CLIENT_ID=workgate-console WORKGATE_OIDC_AUDIENCE=workgate-api npm start`,
      );
      expect(lines).toContain('      wg-approver: [approver]');
      expect(lines.find((line) => line.startsWith('then open'))).toBe(
        `then open http://127.0.0.1:3999/console and choose "Sign in with 127.0.0.1:${new URL(issuer!).port}". Ctrl-C stops the provider.`,
      );
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
