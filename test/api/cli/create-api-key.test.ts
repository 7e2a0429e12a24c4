// `npm run keys:create` writes a key straight into the database: the way production gets its first
// admin key without a bootstrap API_KEY.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { api, json, uniqueOwner } from '../../support/api.ts';

const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  promisify(execFile)(process.execPath, ['scripts/create-api-key.ts', ...args], {
    env: { ...process.env, DATABASE_URL: inject('databaseUrl'), ...env },
  });

describe('npm run keys:create', () => {
  it('creates a working key with the given owner and scopes, token printed once', async () => {
    const owner = uniqueOwner('ops');
    const { stdout } = await run(['--owner', owner, '--name', 'first-admin', '--scopes', 'keys:manage,fax:read']);
    const token = /fbk_[a-z0-9]{16}_[A-Za-z0-9_-]{43}/.exec(stdout)?.[0];
    expect(token).toBeDefined();
    const res = await api('/admin/api-keys', { key: token! });
    expect(res.status).toBe(200);
    const mine = (await json(res)).data.find((k: { owner: string }) => k.owner === owner);
    expect(mine).toMatchObject({ name: 'first-admin', scopes: ['keys:manage', 'fax:read'], created_by: 'cli' });
    expect((await api('/fax', { method: 'POST', key: token! })).status).toBe(403);
  });

  it('refuses unknown scopes and missing arguments without touching the database', async () => {
    const bad = await run(['--owner', 'x', '--name', 'y', '--scopes', 'fax:everything']).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown scopes: fax:everything');
    const missing = await run(['--owner', 'x'], {}).catch((e) => e);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--name is required');
  });
});
