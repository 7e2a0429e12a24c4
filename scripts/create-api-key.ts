// `npm run keys:create -- --owner ops --name first-admin --scopes keys:manage,agents:manage`
// Creates an API key directly in the database (DATABASE_URL) and prints the token once. This is
// how production gets its first admin key: the production profile refuses a bootstrap API_KEY.
import { parseArgs } from 'node:util';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { issueSecret, newKeyId } from '../worker/auth/api-key-token.ts';
import { SCOPES, isScope } from '../worker/auth/scopes.ts';
import { apiKeys, auditEvents } from '../worker/db/schema.ts';

const { values } = parseArgs({
  options: {
    owner: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'string' },
    'expires-at': { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`keys:create: ${message}`);
  process.exit(2);
}

const url = process.env.DATABASE_URL ?? fail('set DATABASE_URL');
const owner = values.owner ?? fail('--owner is required (a department or application label)');
const name = values.name ?? fail('--name is required');
const scopes = (values.scopes ?? fail(`--scopes is required (comma-separated: ${SCOPES.join(', ')})`)).split(',').map((s) => s.trim());
const unknown = scopes.filter((s) => !isScope(s));
if (unknown.length) fail(`unknown scopes: ${unknown.join(', ')} (known: ${SCOPES.join(', ')})`);
const expiresAt = values['expires-at'] ? new Date(values['expires-at']) : null;
if (expiresAt && Number.isNaN(expiresAt.getTime())) fail('--expires-at must be an ISO 8601 date');

const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const db = drizzle(client);
  const id = newKeyId();
  const { token, secretHash } = await issueSecret(id);
  await db.insert(apiKeys).values({ id, name, owner, scopes, secretHash, expiresAt, createdBy: 'cli' });
  await db.insert(auditEvents).values({
    actorType: 'system',
    actorId: 'cli',
    action: 'api_key.create',
    resourceType: 'api_key',
    resourceId: id,
    outcome: 'success',
    details: { owner, scopes },
  });
  console.log(`Created key ${id} for owner '${owner}' with scopes ${scopes.join(', ')}.`);
  console.log('Token (shown once, store it in your secret manager):');
  console.log(token);
} finally {
  await client.end();
}
