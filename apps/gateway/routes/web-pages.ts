import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SECRET_PATTERNS } from '@workgate/domain';
import { browserModules, withImportMap } from './browser-modules';
import { CSS, HTML, JS, PAGE_CSP, StaticPage, WEB_DIR, webFiles } from './static-page';

/**
 * `window.workgateMask(text)`: the API's masking of credential-shaped text (`maskSecrets`, the same
 * patterns), for what the console shows of answers that carry text as it was sent (an ops lead's
 * ledger events: a delegation's prompt).
 */
export function maskingScript(): string {
  const patterns = SECRET_PATTERNS.map(String).join(',\n  ');
  return `'use strict';\nwindow.workgateMask = (function (patterns) {\n  return function (text) {\n    return patterns.reduce(function (t, re) { return t.replace(re, '[redacted]'); }, String(text));\n  };\n})([\n  ${patterns},\n]);\n`;
}

const SWAGGER_UI = dirname(require.resolve('swagger-ui-dist/package.json'));

/**
 * The browser pages of `web/`, each read once at start: one folder per page, plus what it serves
 * from `node_modules` or makes at start. Adding a page is adding its folder, an entry here and its
 * two routes in PagesController.
 */
export function webPages() {
  const modules = browserModules();
  // The console resolves the packages it imports by name with an import map, an inline script: the CSP allows it by its hash alone.
  const consolePage = withImportMap(readFileSync(join(WEB_DIR, 'console', 'index.html'), 'utf8'), modules.importMap);
  return {
    dashboard: new StaticPage('dashboard', {
      ...webFiles('dashboard'),
      'chart.umd.min.js': [join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), JS],
    }),
    console: new StaticPage(
      'console',
      {
        ...webFiles('console'),
        'index.html': { text: consolePage.html, type: HTML },
        'masking.js': { text: maskingScript(), type: JS },
        // The workflow map's layout (ELK, layered): the bundle that lays out in the page's own thread.
        'elk.bundled.js': [require.resolve('elkjs/lib/elk.bundled.js'), JS],
      },
      PAGE_CSP.replace("script-src 'self'", `script-src 'self' ${consolePage.scriptSource}`),
    ),
    // Swagger UI sets styles inline: the pages' CSP but for that.
    docs: new StaticPage(
      'API reference',
      {
        ...webFiles('api-docs'),
        'swagger-ui.css': [join(SWAGGER_UI, 'swagger-ui.css'), CSS],
        'swagger-ui-bundle.js': [join(SWAGGER_UI, 'swagger-ui-bundle.js'), JS],
        'swagger-ui-standalone-preset.js': [join(SWAGGER_UI, 'swagger-ui-standalone-preset.js'), JS],
      },
      PAGE_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
    ),
    shared: new StaticPage('shared module', webFiles('shared')),
    // Versioned paths: a new version of a package is a new address.
    modules: new StaticPage('browser module', modules.files),
  };
}
