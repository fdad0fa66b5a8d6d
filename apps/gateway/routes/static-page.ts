import { readFileSync } from 'node:fs';
import type { Response } from 'express';
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

  /** `files`: name → [path on disk, content type]. */
  constructor(
    private readonly what: string,
    files: Record<string, [string, string]>,
  ) {
    this.files = new Map(Object.entries(files).map(([name, [path, type]]) => [name, { body: readFileSync(path), type }]));
  }

  /** The page itself: never cached, so a new version is seen at once. */
  index(res: Response): void {
    this.send(res, 'index.html', 'no-cache');
  }

  /** One of its assets by name (never the page under another name); 404 for anything else. */
  asset(res: Response, name: string): void {
    if (name === 'index.html' || !this.files.has(name)) throw new WorkgateError('not_found', `no such ${this.what} file`);
    this.send(res, name, 'public, max-age=300');
  }

  private send(res: Response, name: string, cache: string): void {
    const file = this.files.get(name)!;
    res
      .status(200)
      .setHeader('Content-Type', file.type)
      .setHeader('Content-Security-Policy', PAGE_CSP)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Referrer-Policy', 'no-referrer')
      .setHeader('Cache-Control', cache)
      .end(file.body);
  }
}

export const HTML = 'text/html; charset=utf-8';
export const JS = 'text/javascript; charset=utf-8';
export const CSS = 'text/css; charset=utf-8';
