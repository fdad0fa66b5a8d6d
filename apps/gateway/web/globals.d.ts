/**
 * What the pages' classic scripts put on `window` before the modules run, for the browser type-check
 * (tsconfig.browser.json): the masking of credential-shaped text (`/console/masking.js`), ELK
 * (`/console/elk.bundled.js`), Chart.js (`/dashboard/chart.umd.min.js`) and Swagger UI (`/docs`).
 */
import type { ELK, ELKConstructorArguments } from 'elkjs/lib/elk-api';
import type { Chart } from 'chart.js';

interface SwaggerUIOptions {
  url: string;
  dom_id: string;
  presets: unknown[];
  layout: string;
  validatorUrl: string | null;
  persistAuthorization: boolean;
}

declare global {
  interface Window {
    /** The API's masking of credential-shaped text, the same patterns (`routes/web-pages.ts`). */
    workgateMask(text: string): string;
    ELK: new (args?: ELKConstructorArguments) => ELK;
    Chart: typeof Chart;
    /** The API reference's Swagger UI, kept for the browser's console. */
    ui?: unknown;
  }
  const SwaggerUIBundle: ((options: SwaggerUIOptions) => unknown) & { presets: { apis: unknown } };
  const SwaggerUIStandalonePreset: unknown;
}
