// This jest worker's Chromium (test/support/console-page.ts, launchChromium): loaded by Node's own
// require, so the browser it launched stays for the worker's next files. It exits with the worker;
// in a run in band (one file, the faults tier) the files run in jest's own process, and the global
// teardown closes it (closeWorkerChromium), as its open pipe would keep that process from exiting.
// A browser that closed or crashed is launched again by the next file that asks.
const { chromium } = require('playwright-core');

/** @type {Promise<import('playwright-core').Browser> | null} */
let launched = null;

/** @param {string} executablePath */
exports.workerChromium = (executablePath) => {
  if (launched) return launched;
  // Forgotten when it fails or the browser goes (closed, crashed), unless a newer one replaced it.
  const forget = () => {
    if (launched === launching) launched = null;
  };
  const launching = chromium.launch({ executablePath, args: ['--no-sandbox'] }).then(
    (browser) => {
      browser.on('disconnected', forget);
      return browser;
    },
    (error) => {
      forget();
      throw error;
    },
  );
  launched = launching;
  return launching;
};

/** Closes this process's Chromium, if a file launched one. */
exports.closeWorkerChromium = async () => {
  const browser = await launched?.catch(() => undefined);
  launched = null;
  await browser?.close();
};
