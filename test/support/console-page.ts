import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { nodeModule } from './node-require';

/** The Chromium the browser tests drive. */
export const CHROMIUM = process.env.WORKGATE_CHROMIUM ?? '/usr/bin/chromium';
/** Where the browser tests leave their screenshots. */
export const ARTIFACTS = join(__dirname, '..', 'artifacts');
const WIDE = { width: 1920, height: 1080 };
/** The narrow screen every console page is read at. */
export const NARROW = { width: 420, height: 900 };

/** Collects a page's script errors and console errors into `problems`, but those that match `quiet`. */
export function watcher(problems: string[], quiet: RegExp | null = null) {
  return (p: Page): void => {
    p.on('pageerror', (e) => problems.push(e.message));
    p.on('console', (m) => m.type() === 'error' && !quiet?.test(m.text()) && problems.push(m.text()));
  };
}

/**
 * This jest worker's Chromium: launched by the worker's first file that asks and kept for its next
 * files (test/support/worker-chromium.js), as a launch costs about 3 s of CPU. Each file opens
 * contexts and pages of its own and closes them with closeContexts(), never the browser; what an
 * earlier file of the worker left open is closed here.
 */
export async function launchChromium(): Promise<Browser> {
  const { workerChromium } = nodeModule<{ workerChromium: (path: string) => Promise<Browser> }>(
    join(__dirname, 'worker-chromium.js'),
  );
  const browser = await workerChromium(CHROMIUM);
  await closeContexts(browser);
  return browser;
}

/** Closes the contexts (and their pages) a file opened in the worker's Chromium (launchChromium). */
export async function closeContexts(browser: Browser | undefined): Promise<void> {
  if (browser) await Promise.all(browser.contexts().map((context) => context.close()));
}

/** The worker's Chromium (launchChromium) and a first page (1920 × 1080 unless `options` say otherwise), watched by `watch`; the artifacts folder made. */
export async function launchWatched(
  watch: (p: Page) => void,
  options: BrowserContextOptions = {},
): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: WIDE, ...options });
  watch(page);
  mkdirSync(ARTIFACTS, { recursive: true });
  return { browser, page };
}

/**
 * What the console's browser tests do on every page: collect the page's errors (by default a 403
 * the page answers by falling back is not one; `quiet` says which are not), wait until the console
 * is ready, sign in with an API key (at `hash`, else where the page is), open another page signed in.
 */
export function consolePage(
  url: () => string,
  keys: Record<string, string>,
  problems: string[],
  quiet: RegExp | null = /status of 403/,
) {
  const watch = watcher(problems, quiet);
  const ready = (p: Page) => p.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
  const signIn = async (p: Page, who: string, hash?: string): Promise<void> => {
    if (hash !== undefined) await p.goto(`${url()}/console${hash}`);
    await p.getByLabel('API key').fill(keys[who]);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await ready(p);
    await p.waitForFunction((id) => document.querySelector('#who')?.textContent?.includes(id), who);
  };
  /** A new page of `browser` (1920 × 1080 unless `viewport` says otherwise), watched and signed in as `who` at `hash`. */
  const signedIn = async (browser: Browser, who: string, hash: string, viewport = WIDE): Promise<Page> => {
    const p = await browser.newPage({ viewport });
    watch(p);
    await signIn(p, who, hash);
    return p;
  };
  const launch = (options?: BrowserContextOptions) => launchWatched(watch, options);
  return { watch, ready, signIn, signedIn, launch };
}

/**
 * Screenshots an approval card's page at 1920 px and at NARROW as `<name>.png` and `<name>-narrow.png`
 * (kept in test/artifacts and docs/images), checks nothing on `card` is wider than the narrow
 * screen, and leaves the page at 1920 px.
 */
export async function shootCardWideAndNarrow(page: Page, card: Locator, name: string): Promise<void> {
  const shot = async (file: string) => {
    const path = join(ARTIFACTS, file);
    await page.screenshot({ path, fullPage: true });
    mkdirSync(join(__dirname, '..', '..', 'docs', 'images'), { recursive: true });
    copyFileSync(path, join(__dirname, '..', '..', 'docs', 'images', file));
  };
  await shot(`${name}.png`);
  await page.setViewportSize(NARROW);
  await shot(`${name}-narrow.png`);
  const widest = await card.evaluate((el) =>
    Math.max(...Array.from(el.querySelectorAll('*')).map((e) => e.getBoundingClientRect().right)),
  );
  expect(widest).toBeLessThanOrEqual(NARROW.width);
  await page.setViewportSize({ width: 1920, height: 1080 });
}
