// drizzle-kit configuration: SQL migrations in migrations/ are generated from worker/db/schema.ts.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './worker/db/schema.ts',
  out: './migrations',
});
