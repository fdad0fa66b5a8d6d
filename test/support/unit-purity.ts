import childProcess from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';

/**
 * The unit project is pure: a unit spec (`*.spec.ts`) that starts a process, opens a port or
 * connects anywhere (a browser, Postgres, NATS, HTTP) fails at that call. Such a spec belongs in
 * `*.int-spec.ts` (Postgres and NATS) or `*.e2e-spec.ts` (a whole workgate, a browser).
 */
function refuse(what: string): never {
  throw new Error(`a unit spec may not ${what}: name it *.int-spec.ts or *.e2e-spec.ts (DEVELOPERS.md, Tests)`);
}

const patch = (target: object, name: string, what: string) =>
  Object.defineProperty(target, name, { value: () => refuse(what), configurable: true, writable: true });

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'])
  patch(childProcess, name, `start a process (child_process.${name})`);
patch(net.Server.prototype, 'listen', 'open a port');
patch(net.Socket.prototype, 'connect', 'open a connection');
patch(dgram, 'createSocket', 'open a UDP socket');
