/**
 * Static checks for docker-compose.yml (test/support/compose.ts parses it): the infrastructure
 * services and the apps/ directories. The application services: docker-compose-apps.spec.ts.
 */
import {
  appDirectories,
  commandTokens,
  compose,
  dependsOnCondition,
  EXPECTED_APPS,
  environmentOf,
  healthcheckText,
  INFRA_SERVICES,
  services,
  volumesOf,
} from './support/compose';

describe('docker-compose.yml', () => {
  it('parses and defines the infrastructure services', () => {
    for (const name of INFRA_SERVICES) {
      expect(Object.keys(services)).toContain(name);
    }
  });

  describe('apps/ directories', () => {
    it('every (non-empty) directory under apps/ has a compose service running dist/apps/<name>/main.js', () => {
      const missing = appDirectories().filter(
        (name) => !commandTokens(services[name]).includes(`dist/apps/${name}/main.js`),
      );
      expect(missing).toEqual([]);
    });

    it('every (non-empty) directory under apps/ is one of the known application services', () => {
      // A new app must be added to EXPECTED_APPS (and therefore fully checked below).
      const unknown = appDirectories().filter((name) => !EXPECTED_APPS.some((app) => app === name));
      expect(unknown).toEqual([]);
    });
  });

  describe('nats', () => {
    const nats = services.nats;

    it('uses the pinned nats 2.10 alpine image', () => {
      expect(nats?.image).toBe('nats:2.10-alpine');
    });

    it('runs with JetStream (-js), a store dir on a named volume and monitoring on 8222', () => {
      const cmd = commandTokens(nats);
      expect(cmd).toContain('-js');
      const sd = cmd.indexOf('-sd');
      expect(sd).toBeGreaterThanOrEqual(0);
      const storeDir = cmd[sd + 1];
      expect(storeDir).toBeDefined();
      const m = cmd.indexOf('-m');
      expect(m).toBeGreaterThanOrEqual(0);
      expect(cmd[m + 1]).toBe('8222');

      const namedVolumes = Object.keys(compose.volumes ?? {});
      const storeMount = volumesOf(nats).find((v) => v.split(':')[1] === storeDir);
      expect(storeMount).toBeDefined();
      expect(namedVolumes).toContain(storeMount!.split(':')[0]);
    });

    it('has a healthcheck on the JetStream-aware monitoring endpoint', () => {
      const hc = healthcheckText(nats);
      expect(hc).toMatch(/wget/);
      expect(hc).toMatch(/:8222\/healthz\?js-enabled-only=true/);
      expect(nats?.healthcheck?.interval).toBeDefined();
      expect(nats?.healthcheck?.timeout).toBeDefined();
      expect(nats?.healthcheck?.retries).toBeGreaterThan(0);
    });
  });

  describe('postgres', () => {
    const pg = services.postgres;

    it('uses postgres 15 alpine with the workgate user/db and a defaulted password', () => {
      expect(pg?.image).toBe('postgres:15-alpine');
      const env = environmentOf(pg);
      expect(env.POSTGRES_USER).toBe('workgate');
      expect(env.POSTGRES_DB).toBe('workgate');
      expect(env.POSTGRES_PASSWORD).toBe('${POSTGRES_PASSWORD:-workgate}');
    });

    it('stores data on a named volume', () => {
      const namedVolumes = Object.keys(compose.volumes ?? {});
      const dataMount = volumesOf(pg).find((v) => v.split(':')[1] === '/var/lib/postgresql/data');
      expect(dataMount).toBeDefined();
      expect(namedVolumes).toContain(dataMount!.split(':')[0]);
    });

    it('has a pg_isready healthcheck', () => {
      const hc = healthcheckText(pg);
      expect(hc).toMatch(/pg_isready/);
      expect(hc).toMatch(/-U workgate/);
      expect(hc).toMatch(/-d workgate/);
      expect(pg?.healthcheck?.interval).toBeDefined();
      expect(pg?.healthcheck?.timeout).toBeDefined();
      expect(pg?.healthcheck?.retries).toBeGreaterThan(0);
    });
  });

  describe('migrate', () => {
    const migrate = services.migrate;

    it('is a one-shot job running the ledger migrations from the project image', () => {
      expect(commandTokens(migrate)).toEqual(['node', 'dist/apps/ledger/migrate.js']);
      expect(migrate?.restart).toBe('no');
      expect(migrate?.build).toBeDefined();
    });

    it('waits for postgres to be healthy', () => {
      expect(dependsOnCondition(migrate, 'postgres')).toBe('service_healthy');
    });
  });
});
