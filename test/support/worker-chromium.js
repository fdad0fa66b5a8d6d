// This jest worker's Chromium (test/support/console-page.ts, launchChromium): loaded by Node's own
// require, so the browser it launched stays for the worker's next files. It exits with the worker
// (playwright kills what it launched when its process exits). A browser that closed or crashed is
// launched again by the next file that asks.
const { chromium } = require('playwright-core');

/** @type {Promise<import('playwright-core').Browser> | null} */
let launched = null;

/** @param {string} executablePath */
exports.workerChromium = (executablePath) => {
  launched ??= chromium.launch({ executablePath, args: ['--no-sandbox'] }).then(
    (browser) => {
      browser.on('disconnected', () => (launched = null));
      return browser;
    },
    (error) => {
      launched = null;
      throw error;
    },
  );
  return launched;
};
