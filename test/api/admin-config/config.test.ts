// GET /admin/config — the effective configuration, sanitised: modes, limits, storage and backend
// settings; secrets only as "set" / "not set". Needs keys:manage.
import { describe, expect, inject, it } from 'vitest';
import { adminKey, api, createKey, json, workerUrl } from '../../support/api.ts';

/** The main test worker's PDF_TOKEN_SECRET (set in test/support/global-setup.ts, not exported there). */
const MAIN_PDF_TOKEN_SECRET = 'test-pdf-token-secret-0123456789abcdef';

async function getConfig(key?: string | null): Promise<{ res: Response; text: string; body: any }> {
  const res = await api('/admin/config', { key });
  const text = await res.text();
  return { res, text, body: JSON.parse(text) };
}

describe('GET /admin/config (happy)', () => {
  it('reports backend, auth mode, limits and storage of the running worker', async () => {
    const { res, body } = await getConfig();
    expect(res.status).toBe(200);
    const stack = inject('stackVars');
    expect(body).toMatchObject({
      environment: 'test',
      backend: 'sandbox',
      auth: { mode: 'api_key', bootstrap_api_key: 'set' },
      limits: {
        max_file_size_bytes: inject('maxFileSizeMb') * 1024 * 1024,
        max_pages: 200,
        json_body_limit_bytes: 64 * 1024,
        rate_limit_window_seconds: 60,
        max_requests_per_minute: 1_000_000,
        send_rpm: 1_000_000,
        inbound_list_rpm: 1_000_000,
        inbound_get_rpm: 1_000_000,
        auth_failures_per_minute: 1_000_000,
      },
      storage: {
        endpoint: stack.S3_ENDPOINT,
        bucket: stack.S3_BUCKET,
        region: stack.S3_REGION ?? 'us-east-1',
        sse_kms: 'disabled',
        access_key_id: 'set',
        secret_access_key: 'set',
      },
      database: { url: 'set', ws_proxy: stack.DATABASE_WS_PROXY ? 'set (development only)' : 'not set' },
      security: { enforce_https: false, public_api_url: workerUrl(), cors_origins: [], pdf_token_secret: 'set', pdf_token_ttl_minutes: 60 },
      audit: { enabled: true, retention_days: 365 },
      documents: { page_size: 'letter', default_country_code: '1' },
      // The test worker has both providers' callback settings (test/support/global-setup.ts).
      inbound: { enabled: true, via: ['sip_agents', 'phaxio', 'sinch'] },
      // The test worker's retry policy: short delays and FAX_MAX_DIALS=3 (test/support/global-setup.ts).
      retry_policy: { busy_delay_seconds: 1, no_answer_delay_seconds: 1, connected_delay_seconds: 1, max_tries: 3, max_dials: 3, job_expiry_minutes: 180, attempt_timeout_seconds: 1800 },
      problems: [],
    });
  });

  it('shows secrets only as "set" / "not set"', async () => {
    const { body } = await getConfig();
    const secretFields = [
      body.auth.bootstrap_api_key,
      body.storage.access_key_id,
      body.storage.secret_access_key,
      body.database.url,
      body.security.pdf_token_secret,
    ];
    for (const v of secretFields) expect(['set', 'not set']).toContain(v);
  });

  it('never contains a secret value anywhere in the response', async () => {
    const { text } = await getConfig();
    const s3 = inject('s3');
    const stack = inject('stackVars');
    const secrets = [adminKey(), MAIN_PDF_TOKEN_SECRET, s3.secretAccessKey, s3.accessKeyId, stack.DATABASE_URL!, inject('databaseUrl')];
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(5);
      expect(text).not.toContain(secret);
    }
    // Also no fragment that looks like a connection string or a key.
    expect(text).not.toMatch(/postgres(ql)?:\/\//);
    expect(text).not.toMatch(/fbk_[a-z0-9]{16}_/);
  });

  it('works for a scoped keys:manage key too, identically', async () => {
    const admin = await createKey(['keys:manage']);
    const scoped = await getConfig(admin.token);
    expect(scoped.res.status).toBe(200);
    expect(scoped.body).toEqual((await getConfig()).body);
    expect(scoped.text).not.toContain(admin.token);
  });
});

describe('GET /admin/config (security)', () => {
  it('401 missing_api_key without a key', async () => {
    const { res, body } = await getConfig(null);
    expect(res.status).toBe(401);
    expect(body.error.code).toBe('missing_api_key');
    expect(body.backend).toBeUndefined();
  });

  it('401 invalid_api_key with a wrong key', async () => {
    const { res, body } = await getConfig('fbk_aaaaaaaaaaaaaaaa_' + 'A'.repeat(43));
    expect(res.status).toBe(401);
    expect(body.error.code).toBe('invalid_api_key');
  });

  it.each([[['fax:read']], [['fax:send']], [['fax:send', 'fax:read', 'inbound:list', 'inbound:read', 'agents:manage']]])(
    '403 insufficient_scope for a key with %j, and nothing of the config leaks',
    async (scopes) => {
      const key = await createKey(scopes);
      const { res, text, body } = await getConfig(key.token);
      expect(res.status).toBe(403);
      expect(body.error).toMatchObject({ code: 'insufficient_scope', details: { required_scope: 'keys:manage' } });
      expect(text).not.toContain('sandbox');
      expect(text).not.toContain(inject('stackVars').S3_BUCKET!);
    },
  );

  it('a revoked admin key loses access', async () => {
    const admin = await createKey(['keys:manage']);
    expect((await getConfig(admin.token)).res.status).toBe(200);
    expect((await api(`/admin/api-keys/${admin.id}`, { method: 'DELETE' })).status).toBe(200);
    const { res, body } = await getConfig(admin.token);
    expect(res.status).toBe(401);
    expect(body.error.code).toBe('invalid_api_key');
  });

  it('is read-only: other methods are 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await api('/admin/config', { method, headers: { 'content-type': 'application/json' }, body: '{"environment":"development"}' });
      expect({ method, status: res.status }).toEqual({ method, status: 405 });
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect((await json(res)).error.code).toBe('method_not_allowed');
    }
    expect((await getConfig()).body.environment).toBe('test');
  });
});
