/**
 * Static checks for docker-compose.yml (test/support/compose.ts parses it): the application
 * services, their settings and every image's tag. The infrastructure: docker-compose.spec.ts.
 */
import {
  commandTokens,
  compose,
  dependsOnCondition,
  EXPECTED_APPS,
  environmentOf,
  healthcheckText,
  imageTag,
  services,
  volumesOf,
} from './support/compose';

describe('docker-compose.yml', () => {
  describe.each(EXPECTED_APPS.map((name) => [name]))('app service %s', (name) => {
    const svc = services[name];

    it('exists', () => {
      expect(svc).toBeDefined();
    });

    it(`runs node dist/apps/${name}/main.js`, () => {
      expect(commandTokens(svc)).toEqual(['node', `dist/apps/${name}/main.js`]);
    });

    it('is built from the project Dockerfile', () => {
      const build = svc?.build;
      expect(build).toBeDefined();
      const context = typeof build === 'string' ? build : build?.context;
      expect(context).toBe('.');
      if (typeof build === 'object' && build.dockerfile !== undefined) {
        expect(build.dockerfile).toBe('Dockerfile');
      }
    });

    it('depends on nats and postgres being healthy and migrate having completed', () => {
      expect(dependsOnCondition(svc, 'nats')).toBe('service_healthy');
      expect(dependsOnCondition(svc, 'postgres')).toBe('service_healthy');
      expect(dependsOnCondition(svc, 'migrate')).toBe('service_completed_successfully');
    });

    it("gets DATABASE_URL and NATS_URL pointing at the compose services, and never the owner's password", () => {
      const env = environmentOf(svc);
      // The services log in as their own roles with WORKGATE_DB_PASSWORD (only migrate knows the owner's).
      expect(env.DATABASE_URL).toBe('postgres://postgres:5432/workgate');
      expect(env.WORKGATE_DB_PASSWORD).toBe('${WORKGATE_DB_PASSWORD:-workgate-services}');
      expect(JSON.stringify(env)).not.toContain('POSTGRES_PASSWORD');
      expect(env.NATS_URL).toBe('nats://nats:4222');
    });
  });

  describe('service-specific settings', () => {
    it('gateway publishes port 3000', () => {
      const ports = (services.gateway?.ports ?? []).map((p) =>
        typeof p === 'object' ? `${p.published}:${p.target}` : String(p),
      );
      expect(ports).toContain('3000:3000');
    });

    it('gateway has a node-based healthcheck on /health', () => {
      const gw = services.gateway;
      const hc = healthcheckText(gw);
      expect(hc).toMatch(/\bnode\b/);
      expect(hc).toMatch(/fetch\(/);
      expect(hc).toMatch(/:3000\/health\b/);
      expect(gw?.healthcheck?.interval).toBeDefined();
      expect(gw?.healthcheck?.timeout).toBeDefined();
      expect(gw?.healthcheck?.retries).toBeGreaterThan(0);
    });

    it('gateway mounts ./config read-only', () => {
      expect(volumesOf(services.gateway)).toContain('./config:/app/config:ro');
    });

    it.each([['intake'], ['policy']])('%s mounts ./workflows read-only', (name) => {
      expect(volumesOf(services[name])).toContain('./workflows:/app/workflows:ro');
    });

    it('policy mounts ./patterns read-only: the shipped workflows extend them', () => {
      expect(volumesOf(services.policy)).toContain('./patterns:/app/patterns:ro');
    });

    it('ledger keeps /app/.data (signing key) on a named volume', () => {
      const namedVolumes = Object.keys(compose.volumes ?? {});
      const dataMount = volumesOf(services.ledger).find((v) => v.split(':')[1] === '/app/.data');
      expect(dataMount).toBeDefined();
      expect(namedVolumes).toContain(dataMount!.split(':')[0]);
    });
  });

  describe('image tags', () => {
    it.each(Object.keys(services).map((name) => [name]))('%s names an image with a pinned, non-latest tag', (name) => {
      const image = services[name]?.image;
      // A build-only service would be tagged "<project>-<service>:latest" implicitly.
      expect(typeof image).toBe('string');
      const tag = imageTag(image ?? '');
      expect(tag).not.toBe('');
      expect(tag).not.toBe('latest');
    });
  });
});
