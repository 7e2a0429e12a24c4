// The benchmark's ceiling: a bare Hono handler in the same runtime (the production bundle in plain
// workerd) that reaches the database exactly as the API's request path does (each statement over
// Neon's HTTP query protocol) and runs `n` statements, nothing else — what any route that needs the
// database could at best do on this stack.
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { openHttpDatabase } from '../../worker/db/client.ts';

const app = new Hono<{ Bindings: { DATABASE_URL: string; DATABASE_WS_PROXY?: string } }>();
app.get('/health', (c) => c.text('ok'));
app.get('/q/:n', async (c) => {
  const n = Math.min(50, Number(c.req.param('n')) || 0);
  const db = openHttpDatabase(c.env.DATABASE_URL, c.env.DATABASE_WS_PROXY, { application: 'faxbot-ceiling' });
  for (let i = 0; i < n; i++) await db.execute(sql`select 1`);
  return c.json({ n });
});
export default app;
