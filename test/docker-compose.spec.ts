/**
 * Static checks for docker-compose.yml. No docker engine is needed: the file is
 * parsed with `yaml` (merge keys enabled, as Compose does) and its structure is
 * asserted. Paths are resolved from this file, so the test is independent of
 * the jest config and of the working directory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

const REPO_ROOT = path.resolve(__dirname, '..');
const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yml');
const APPS_DIR = path.join(REPO_ROOT, 'apps');

/** The application services that must always exist, whether or not apps/<name> exists yet. */
const EXPECTED_APPS = ['gateway', 'intake', 'policy', 'approvals', 'ledger', 'exceptions'] as const;
const INFRA_SERVICES = ['nats', 'postgres', 'migrate'] as const;

/** The parts of a compose service these checks read, in both the short and the long syntax. */
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  restart?: string;
  environment?: string[] | Record<string, string | number | boolean | null>;
  volumes?: Array<string | { source?: string; target?: string; read_only?: boolean }>;
  ports?: Array<string | number | { published?: string | number; target?: string | number }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; interval?: string; timeout?: string; retries?: number };
}

interface Compose {
  services: Record<string, Service | undefined>;
  volumes?: Record<string, unknown>;
}

function loadCompose(): Compose {
  const text = fs.readFileSync(COMPOSE_FILE, 'utf8');
  const doc = parse(text, { merge: true });
  if (!doc || typeof doc !== 'object' || !doc.services || typeof doc.services !== 'object') {
    throw new Error('docker-compose.yml has no top-level "services" mapping');
  }
  return doc;
}

/** Compose accepts a command as a list or a string; normalise to a list of tokens. */
function commandTokens(svc: Service | undefined): string[] {
  const cmd = svc?.command;
  if (Array.isArray(cmd)) return cmd.map(String);
  if (typeof cmd === 'string') return cmd.trim().split(/\s+/);
  return [];
}

/** Same for healthcheck.test: ["CMD", ...], ["CMD-SHELL", "..."] or a plain string. */
function healthcheckText(svc: Service | undefined): string {
  const test = svc?.healthcheck?.test;
  if (Array.isArray(test)) return test.map(String).join(' ');
  if (typeof test === 'string') return test;
  return '';
}

/** depends_on in long (mapping) form: { name: { condition } }. The short list form has no conditions. */
function dependsOnCondition(svc: Service | undefined, dep: string): string | undefined {
  const deps = svc?.depends_on;
  if (!deps || Array.isArray(deps) || typeof deps !== 'object') return undefined;
  return deps[dep]?.condition;
}

/** Environment as a mapping, accepting both the mapping and the ["K=V"] list form. */
function environmentOf(svc: Service | undefined): Record<string, string> {
  const env = svc?.environment;
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry: string) => {
        const i = String(entry).indexOf('=');
        return i < 0 ? [entry, ''] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** Short-syntax volume strings plus long-syntax "source:target[:ro]" renderings. */
function volumesOf(svc: Service | undefined): string[] {
  const vols = svc?.volumes;
  if (!Array.isArray(vols)) return [];
  return vols.map((v) =>
    typeof v === 'string' ? v : `${v.source ?? ''}:${v.target ?? ''}${v.read_only ? ':ro' : ''}`,
  );
}

/** Resolve ${VAR:-default} / ${VAR-default} to the default, the value compose uses when VAR is unset. */
function withDefaults(value: string): string {
  return value.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g, (_m, def) => def ?? '');
}

/** The tag of an image reference ('' when none, i.e. implicitly "latest"). Digests count as pinned. */
function imageTag(image: string): string {
  const ref = withDefaults(image);
  if (ref.includes('@')) return ref.split('@')[1];
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon < 0 ? '' : lastSegment.slice(colon + 1);
}

function containsAnyFile(dir: string): boolean {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .some((e) => e.isFile() || (e.isDirectory() && containsAnyFile(path.join(dir, e.name))));
}

/**
 * Directories under apps/, read at test time. Empty directories are skipped:
 * git cannot track them, so they are scaffolding placeholders rather than apps
 * (the six known apps are checked by name below regardless).
 */
function appDirectories(): string[] {
  if (!fs.existsSync(APPS_DIR)) return [];
  return fs
    .readdirSync(APPS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && containsAnyFile(path.join(APPS_DIR, d.name)))
    .map((d) => d.name)
    .sort();
}

const compose = loadCompose();
const services = compose.services;

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
