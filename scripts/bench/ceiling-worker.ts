// The benchmark's ceiling: a bare Hono handler in the same runtime (workerd under wrangler dev) that
// opens the database exactly as the API does and runs `n` statements, nothing else — what any route
// that needs the database could at best do on this stack.
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { openDatabase } from '../../worker/db/client.ts';

const app = new Hono<{ Bindings: { DATABASE_URL: string; DATABASE_WS_PROXY?: string } }>();
app.get('/health', (c) => c.text('ok'));
app.get('/q/:n', async (c) => {
  const n = Math.min(50, Number(c.req.param('n')) || 0);
  const handle = openDatabase(c.env.DATABASE_URL, c.env.DATABASE_WS_PROXY);
  try {
    for (let i = 0; i < n; i++) await handle.db.execute(sql`select 1`);
  } finally {
    c.executionCtx.waitUntil(handle.close());
  }
  return c.json({ n });
});
export default app;
