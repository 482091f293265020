/**
 * The pages people use in a browser: the public register (`index.html`), a department's worklist
 * (`department.html`), the regulator's console (`console.html`), their scripts and style (`assets/`), the badge widget a shop page embeds
 * (`widget/badge.js`) and a demo shop page (`shop.html`). Plain ES modules and CSS, served as they
 * are by the gateway (gateway/routes/pages.ts), with no build step and nothing from a CDN: the
 * widget's JOSE library is jose's own browser build from npm, the console's charts Chart.js's
 * browser build from npm.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This folder: the pages' files. */
export const WEB_DIR = dirname(fileURLToPath(import.meta.url));

/** jose's build for browsers (Web Crypto), which the widget imports as `./jose/index.js`. */
export const JOSE_BROWSER_DIR = dirname(fileURLToPath(import.meta.resolve('jose')));

/** Chart.js's builds, of which the console loads the browser one (`chart.umd.min.js`, the global `Chart`). */
export const CHART_DIR = dirname(fileURLToPath(import.meta.resolve('chart.js')));
