import type { Page } from 'playwright-core';

/**
 * What the console's browser tests do on every page: collect the page's errors (a 403 the page
 * answers by falling back is not one), wait until the console is ready, sign in with an API key.
 */
export function consolePage(url: () => string, keys: Record<string, string>, problems: string[]) {
  const watch = (p: Page): void => {
    p.on('pageerror', (e) => problems.push(e.message));
    p.on('console', (m) => m.type() === 'error' && !/status of 403/.test(m.text()) && problems.push(m.text()));
  };
  const ready = (p: Page) => p.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
  const signIn = async (p: Page, who: string, hash: string): Promise<void> => {
    await p.goto(`${url()}/console${hash}`);
    await p.getByLabel('API key').fill(keys[who]);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await ready(p);
    await p.waitForFunction((id) => document.querySelector('#who')?.textContent?.includes(id), who);
  };
  return { watch, ready, signIn };
}
