// `npm run db:migrate`: applies migrations/ to the database named by DATABASE_URL.
import { migrateDatabase } from './stack/migrate.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('db:migrate: set DATABASE_URL (for example postgres://user:pass@host:5432/faxbot?sslmode=require)');
  process.exit(2);
}
try {
  await migrateDatabase(url);
  console.log('db:migrate: migrations applied');
} catch (err) {
  console.error(`db:migrate: failed: ${(err as Error).message}`);
  process.exit(1);
}
