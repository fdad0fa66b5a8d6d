import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SERVICES, Subjects } from '@workgate/contracts';
import { arrayOf, checked, isRecord, isString, optional, recordOf, shaped } from '../support/guards';
import { COMPOSE_OVERRIDE, CONF, passwordVar, ROOT, USERS } from './nats-security-rig';

/** deploy/nats.conf and the compose file that runs it agree with the code: the gateway's allow-list, every user's password. */
describe('NATS security: deploy/nats.conf as written', () => {
  it("the gateway's allow-list is exactly the service subjects its routes call", () => {
    const conf = readFileSync(CONF, 'utf8');
    const block = /\nGATEWAY_PERMISSIONS = \{[\s\S]*?allow = \[([\s\S]*?)\]/.exec(conf)?.[1] ?? '';
    const allowed = [...block.matchAll(/"(workgate\.[^"]+)"/g)]
      .map((m) => m[1])
      .filter((subject) => subject !== 'workgate.*.health');
    // Each contract's subject by the name the code calls it with (`Subjects.<service>.<verb>`).
    const subjects = new Map<string, string>();
    for (const [service, verbs] of Object.entries(Subjects))
      for (const [verb, contract] of Object.entries(verbs))
        if (isRecord(contract) && isString(contract.subject)) subjects.set(`${service}.${verb}`, contract.subject);
    const called = new Set<string>();
    const walk = (path: string): void => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(path, entry.name));
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
          for (const [, service, verb] of readFileSync(join(path, entry.name), 'utf8').matchAll(
            /Subjects\.(\w+)\.(\w+)/g,
          )) {
            const subject = subjects.get(`${service}.${verb}`);
            if (!subject) throw new Error(`${entry.name} calls Subjects.${service}.${verb}, which is no contract`);
            called.add(subject);
          }
        }
      }
    };
    walk(join(ROOT, 'apps', 'gateway'));
    expect(called.size).toBeGreaterThan(20);
    expect(allowed.sort()).toEqual([...called].sort());
  });

  it('deploy/docker-compose.nats-auth.yml gives each service its own user and the server every password deploy/nats.conf reads', () => {
    const compose = checked(
      parse(readFileSync(COMPOSE_OVERRIDE, 'utf8'), { merge: true }),
      shaped({
        services: recordOf(
          shaped({
            environment: optional(recordOf(isString)),
            command: optional(arrayOf(isString)),
            volumes: optional(arrayOf(isString)),
          }),
        ),
      }),
      'deploy/docker-compose.nats-auth.yml',
    );
    const conf = readFileSync(CONF, 'utf8');
    const read = [...new Set([...conf.matchAll(/^[^#"\n]*?\$(WORKGATE_[A-Z_]+)/gm)].map((m) => m[1]))].sort();
    expect(read).toEqual(['WORKGATE_NATS_STORE_DIR', ...USERS.map(passwordVar)].sort());
    const nats = compose.services.nats;
    expect(Object.keys(nats.environment ?? {}).sort()).toEqual(read);
    expect(nats.volumes).toContain('./deploy/nats.conf:/etc/workgate/nats.conf:ro');
    expect(nats.command?.slice(0, 2)).toEqual(['-c', '/etc/workgate/nats.conf']);
    for (const user of USERS)
      expect(nats.environment?.[passwordVar(user)]).toMatch(new RegExp(`^\\$\\{${passwordVar(user)}:\\?[^}]+\\}$`));
    for (const service of SERVICES) {
      expect(compose.services[service]?.environment?.NATS_URL).toMatch(
        new RegExp(`^nats://${service}:\\$\\{${passwordVar(service)}:\\?[^}]+\\}@nats:4222$`),
      );
    }
  });
});
