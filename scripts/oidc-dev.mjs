#!/usr/bin/env node
/*
 * `npm run oidc:dev [-- --port 3901]`: the OpenID provider the sign-in tests use
 * (test/support/oidc-provider.mjs), on 127.0.0.1 only, with the demo's people as its users (any
 * password signs them in), so the console's sign-in can be tried on one machine. It prints the
 * settings to start workgate with and the `oidc:` block for the principals file, then runs until
 * Ctrl-C. It is for trying sign-in, never for real people: see docs/sign-in.md for real providers.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--port');
const port = at < 0 ? 3901 : Number(process.argv[at + 1]);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('--port needs a port number (0: any free one)\n');
  process.exit(2);
}
const workgate = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

/** The demo's people (npm run seed:demo names the same) and the groups the oidc: block maps. */
const users = {
  'support-lead': { groups: ['wg-approver', 'wg-operator'] },
  'finance-lead': { groups: ['wg-approver', 'wg-operator'] },
  'demo-ops-lead': { groups: ['wg-ops-lead', 'wg-analyst'] },
  'demo-admin': { groups: ['wg-admin', 'wg-analyst'] },
  nobody: { groups: ['wg-unmapped'] },
};
const roles = ['integrator', 'operator', 'approver', 'analyst', 'ops-lead', 'admin'];

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { ...privateKey.export({ format: 'jwk' }), kid: 'dev-1', alg: 'RS256', use: 'sig' };
const settings = {
  port,
  jwks: { keys: [key] },
  clients: [
    {
      client_id: 'workgate-console',
      token_endpoint_auth_method: 'none',
      redirect_uris: [`${workgate}/console/callback`],
      post_logout_redirect_uris: [`${workgate}/console`],
    },
  ],
  users,
  apiAudience: 'workgate-api',
};
const file = join(mkdtempSync(join(tmpdir(), 'wg-oidc-dev-')), 'settings.json');
writeFileSync(file, JSON.stringify(settings), { mode: 0o600 });

const child = spawn(process.execPath, ['--no-warnings', join(root, 'test', 'support', 'oidc-provider.mjs'), file], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
child.on('exit', (code) => process.exit(code ?? 1));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill('SIGTERM'));
createInterface({ input: child.stdout }).once('line', (line) => {
  const { issuer } = JSON.parse(line);
  process.stdout.write(
    [
      `test OpenID provider at ${issuer} (loopback only; for trying sign-in, not for real people)`,
      `users (any password): ${Object.entries(users)
        .map(([login, u]) => `${login} (${u.groups.join(', ')})`)
        .join('; ')}`,
      '',
      'start workgate with:',
      `  WORKGATE_OIDC_ISSUER=${issuer} WORKGATE_OIDC_CLIENT_ID=workgate-console WORKGATE_OIDC_AUDIENCE=workgate-api npm start`,
      'with this block in its principals file (config/principals.local.yaml):',
      '  oidc:',
      '    principalClaim: preferred_username',
      '    rolesClaim: groups',
      '    roles:',
      ...roles.map((role) => `      wg-${role}: [${role}]`),
      `then open ${workgate}/console and choose "Sign in with 127.0.0.1:${new URL(issuer).port}". Ctrl-C stops the provider.`,
      'A login whose id an API key of the principals file has already (npm run seed:demo issues some) is refused',
      'with principal_id_taken: remove that key from the file first.',
      '',
    ].join('\n'),
  );
});
