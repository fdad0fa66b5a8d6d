import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { WorkgateError } from '@workgate/contracts';

/** Only scripts, styles and API calls from this origin; nothing inline, nothing framed. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * A page made of static files (the dashboard, the console), read once at start: its `index.html`
 * and the assets it loads, each served with the same strict headers. No build step.
 */
export class StaticPage {
  private readonly files: Map<string, { body: Buffer; type: string }>;

  /** `files`: name → [path on disk, content type], or a file made at start (`{text, type}`). */
  constructor(
    private readonly what: string,
    files: Record<string, [string, string] | { text: string; type: string }>,
    private readonly csp = PAGE_CSP,
  ) {
    this.files = new Map(
      Object.entries(files).map(([name, file]) => [
        name,
        Array.isArray(file)
          ? { body: readFileSync(file[0]), type: file[1] }
          : { body: Buffer.from(file.text), type: file.type },
      ]),
    );
  }

  /** The page itself: never cached, so a new version is seen at once. */
  index(res: FastifyReply): void {
    this.send(res, 'index.html', 'no-cache');
  }

  /** One of its assets by name (never the page under another name); 404 for anything else. */
  asset(res: FastifyReply, name: string): void {
    if (name === 'index.html' || !this.files.has(name))
      throw new WorkgateError('not_found', `no such ${this.what} file`);
    this.send(res, name, 'public, max-age=300');
  }

  private send(res: FastifyReply, name: string, cache: string): void {
    const file = this.files.get(name)!;
    void res
      .code(200)
      .headers({
        'Content-Type': file.type,
        'Content-Security-Policy': this.csp,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': cache,
      })
      .send(file.body);
  }
}

export const HTML = 'text/html; charset=utf-8';
export const JS = 'text/javascript; charset=utf-8';
export const CSS = 'text/css; charset=utf-8';

/** The browser code: one folder per page, and `shared` for the modules the pages import. */
export const WEB_DIR = join(__dirname, '..', 'web');

const BROWSER_TYPES = new Map([
  ['.html', HTML],
  ['.js', JS],
  ['.css', CSS],
]);

/**
 * The browser files of one folder of `web/` (its HTML, scripts, modules and styles; a test beside
 * them is not served), as StaticPage takes them: name → [path on disk, content type].
 */
export function webFiles(folder: string): Record<string, [string, string]> {
  const dir = join(WEB_DIR, folder);
  const files: Record<string, [string, string]> = {};
  for (const name of readdirSync(dir)) {
    const type = BROWSER_TYPES.get(extname(name));
    if (type) files[name] = [join(dir, name), type];
  }
  return files;
}
