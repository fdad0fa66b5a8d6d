/**
 * docker-compose.yml as the static checks read it (test/docker-compose.spec.ts,
 * test/docker-compose-apps.spec.ts). No docker engine is needed: the file is parsed with `yaml`
 * (merge keys enabled, as Compose does). Paths are resolved from this file, so the checks are
 * independent of the jest config and of the working directory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yml');
const APPS_DIR = path.join(REPO_ROOT, 'apps');

/** The application services that must always exist, whether or not apps/<name> exists yet. */
export const EXPECTED_APPS = ['gateway', 'intake', 'policy', 'approvals', 'ledger', 'exceptions'] as const;
export const INFRA_SERVICES = ['nats', 'postgres', 'migrate'] as const;

/** The parts of a compose service these checks read, in both the short and the long syntax. */
export interface Service {
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

export interface Compose {
  services: Record<string, Service | undefined>;
  volumes?: Record<string, unknown>;
}

export function loadCompose(): Compose {
  const text = fs.readFileSync(COMPOSE_FILE, 'utf8');
  const doc = parse(text, { merge: true });
  if (!doc || typeof doc !== 'object' || !doc.services || typeof doc.services !== 'object') {
    throw new Error('docker-compose.yml has no top-level "services" mapping');
  }
  return doc;
}

/** Compose accepts a command as a list or a string; normalise to a list of tokens. */
export function commandTokens(svc: Service | undefined): string[] {
  const cmd = svc?.command;
  if (Array.isArray(cmd)) return cmd.map(String);
  if (typeof cmd === 'string') return cmd.trim().split(/\s+/);
  return [];
}

/** Same for healthcheck.test: ["CMD", ...], ["CMD-SHELL", "..."] or a plain string. */
export function healthcheckText(svc: Service | undefined): string {
  const test = svc?.healthcheck?.test;
  if (Array.isArray(test)) return test.map(String).join(' ');
  if (typeof test === 'string') return test;
  return '';
}

/** depends_on in long (mapping) form: { name: { condition } }. The short list form has no conditions. */
export function dependsOnCondition(svc: Service | undefined, dep: string): string | undefined {
  const deps = svc?.depends_on;
  if (!deps || Array.isArray(deps) || typeof deps !== 'object') return undefined;
  return deps[dep]?.condition;
}

/** Environment as a mapping, accepting both the mapping and the ["K=V"] list form. */
export function environmentOf(svc: Service | undefined): Record<string, string> {
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
export function volumesOf(svc: Service | undefined): string[] {
  const vols = svc?.volumes;
  if (!Array.isArray(vols)) return [];
  return vols.map((v) =>
    typeof v === 'string' ? v : `${v.source ?? ''}:${v.target ?? ''}${v.read_only ? ':ro' : ''}`,
  );
}

/** Resolve ${VAR:-default} / ${VAR-default} to the default, the value compose uses when VAR is unset. */
export function withDefaults(value: string): string {
  return value.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g, (_m, def) => def ?? '');
}

/** The tag of an image reference ('' when none, i.e. implicitly "latest"). Digests count as pinned. */
export function imageTag(image: string): string {
  const ref = withDefaults(image);
  if (ref.includes('@')) return ref.split('@')[1];
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon < 0 ? '' : lastSegment.slice(colon + 1);
}

export function containsAnyFile(dir: string): boolean {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .some((e) => e.isFile() || (e.isDirectory() && containsAnyFile(path.join(dir, e.name))));
}

/**
 * Directories under apps/, read at test time. Empty directories are skipped:
 * git cannot track them, so they are scaffolding placeholders rather than apps
 * (the six known apps are checked by name below regardless).
 */
export function appDirectories(): string[] {
  if (!fs.existsSync(APPS_DIR)) return [];
  return fs
    .readdirSync(APPS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && containsAnyFile(path.join(APPS_DIR, d.name)))
    .map((d) => d.name)
    .sort();
}

export const compose = loadCompose();
export const services = compose.services;
