// GET /assets/<name> — the pages' stylesheet and scripts (worker/static/), public. They keep the
// no-store policy of every other response (a few kilobytes; one caching rule for the whole worker).
import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { ASSETS } from '../static/asset-registry.ts';

export const assets = new Hono<AppEnv>();
for (const [name, asset] of Object.entries(ASSETS)) {
  assets.get(`/${name}`, (c) => c.body(asset.body, 200, { 'content-type': asset.type }));
}
