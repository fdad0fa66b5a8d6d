import childProcess from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';

/**
 * The unit project is pure: a unit spec (`*.spec.ts`) that starts a process, opens a port or
 * connects anywhere (a browser, Postgres, NATS, HTTP) fails at that call. Such a spec belongs in
 * `*.int-spec.ts` (Postgres and NATS) or `*.e2e-spec.ts` (a whole workgate, a browser).
 *
 * Node's own modules are shared by every test file a jest worker runs, so the refusals are put in
 * place for one unit spec and taken away after it: an integration spec run next by the same worker
 * opens its ports as usual.
 */
function refuse(what: string): never {
  throw new Error(`a unit spec may not ${what}: name it *.int-spec.ts or *.e2e-spec.ts (DEVELOPERS.md, Tests)`);
}

const refusals: Array<[object, string, string]> = [
  ...['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'].map(
    (name): [object, string, string] => [childProcess, name, `start a process (child_process.${name})`],
  ),
  [net.Server.prototype, 'listen', 'open a port'],
  [net.Socket.prototype, 'connect', 'open a connection'],
  [dgram, 'createSocket', 'open a UDP socket'],
];

const originals = refusals.map(([target, name]) => Object.getOwnPropertyDescriptor(target, name));
for (const [target, name, what] of refusals)
  Object.defineProperty(target, name, { value: () => refuse(what), configurable: true, writable: true });

afterAll(() => {
  refusals.forEach(([target, name], i) => {
    const original = originals[i];
    if (original) Object.defineProperty(target, name, original);
  });
});
