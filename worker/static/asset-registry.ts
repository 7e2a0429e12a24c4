// The static assets the worker serves under /assets/ (public, no PHI): the pages' stylesheet and
// scripts. Held in the bundle as strings, so plain workerd and `wrangler dev` serve the same bytes
// and no third-party origin or asset store is involved.
import { consoleScript } from './console-script.ts';
import { pageStyle } from './page-style.ts';
import { referenceScript } from './reference-script.ts';

export interface StaticAsset {
  type: string;
  body: string;
}

export const ASSETS: Record<string, StaticAsset> = {
  'faxbot.css': { type: 'text/css; charset=utf-8', body: pageStyle },
  'reference.js': { type: 'text/javascript; charset=utf-8', body: referenceScript },
  'console.js': { type: 'text/javascript; charset=utf-8', body: consoleScript },
};

export const ASSET_PATHS = Object.keys(ASSETS).map((name) => `/assets/${name}`);
