// Routing between backends: a job keeps its own backend (FAX_BACKEND or its key's), and with
// FAX_FALLBACK_BACKEND a SIP job whose site has had no agent online for FAX_FALLBACK_AFTER_MINUTES
// goes through the fallback. Also: the configuration refuses a routed provider without its settings.
import { describe, expect, it } from 'vitest';
import { backendRouter } from '../../worker/backends/route-backend.ts';
import { parseConfig } from '../../worker/config.ts';
import { inboundSources } from '../../worker/providers/provider-config.ts';
import type { FaxJobRow } from '../../worker/db/schema.ts';
import type { AgentRepository } from '../../worker/services/agents.ts';

const base = { ENVIRONMENT: 'test', DATABASE_URL: 'postgres://x', S3_ENDPOINT: 'http://s3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 's', PDF_TOKEN_SECRET: 'p' };
const phaxio = { PHAXIO_API_KEY: 'k', PHAXIO_API_SECRET: 's', PHAXIO_CALLBACK_TOKEN: 't', PUBLIC_API_URL: 'https://fax.example.org' };
const job = (backend: string, site: string | null = null) => ({ id: 'fax_1', backend, site }) as FaxJobRow;

function agentsSeen(online: boolean, calls: Array<{ site: string | null; since: Date }> = []) {
  return { onlineSince: async (site: string | null, since: Date) => (calls.push({ site, since }), online) } as unknown as AgentRepository;
}
const build = (name: string) => ({ name }) as never;

describe('backendRouter', () => {
  it('keeps the job on its backend without a fallback', async () => {
    const route = backendRouter(parseConfig({ ...base, FAX_BACKEND: 'sip' }), agentsSeen(false), build);
    expect(await route(job('sip'))).toEqual({ name: 'sip' });
    expect(await route(job('phaxio'))).toEqual({ name: 'phaxio' });
  });

  it('falls back when no agent of the site was online within the window, and not otherwise', async () => {
    const calls: Array<{ site: string | null; since: Date }> = [];
    const config = parseConfig({ ...base, ...phaxio, FAX_BACKEND: 'sip', FAX_FALLBACK_BACKEND: 'phaxio', FAX_FALLBACK_AFTER_MINUTES: '5' });
    expect(await backendRouter(config, agentsSeen(false, calls), build)(job('sip', 'north'))).toEqual({ name: 'phaxio' });
    expect(calls[0]!.site).toBe('north');
    expect(Date.now() - calls[0]!.since.getTime()).toBeGreaterThanOrEqual(5 * 60_000 - 1000);
    expect(await backendRouter(config, agentsSeen(true), build)(job('sip', 'north'))).toEqual({ name: 'sip' });
    // Only SIP jobs fall back.
    expect(await backendRouter(config, agentsSeen(false), build)(job('sandbox'))).toEqual({ name: 'sandbox' });
  });
});

describe('provider configuration', () => {
  it('refuses a routed provider without its credentials, in any environment', () => {
    expect(parseConfig({ ...base, FAX_BACKEND: 'phaxio' }).problems).toEqual(
      expect.arrayContaining(['PUBLIC_API_URL: required for the phaxio backend', 'PHAXIO_API_KEY: required for the phaxio backend', 'PHAXIO_CALLBACK_TOKEN: required for the phaxio backend']),
    );
    expect(parseConfig({ ...base, FAX_BACKEND: 'sip', FAX_FALLBACK_BACKEND: 'sinch' }).problems.some((p) => p.startsWith('SINCH_KEY_SECRET'))).toBe(true);
    expect(parseConfig({ ...base, ...phaxio, FAX_BACKEND: 'phaxio' }).problems).toEqual([]);
  });

  it('in production refuses an http PUBLIC_API_URL, disabled signature checks and short Sinch callback passwords', () => {
    const prod = parseConfig({ ...base, ENVIRONMENT: 'production', FAX_BACKEND: 'sinch', PUBLIC_API_URL: 'http://fax.example.org', PHAXIO_VERIFY_SIGNATURE: 'false', SINCH_PROJECT_ID: 'p', SINCH_KEY_ID: 'k', SINCH_KEY_SECRET: 'q8VnR2xT5mW9zK3pL7cF1hJ4dS6gB0yNx', SINCH_CALLBACK_USERNAME: 'u', SINCH_CALLBACK_PASSWORD: 'short' }).problems;
    expect(prod).toEqual(expect.arrayContaining(['PUBLIC_API_URL: must be an https:// URL in production', 'PHAXIO_VERIFY_SIGNATURE: webhook signature verification must stay enabled in production', 'SINCH_CALLBACK_PASSWORD: must be at least 32 characters']));
  });

  it('allows switching Phaxio signature checks off only outside production', () => {
    expect(parseConfig({ ...base, ...phaxio, PHAXIO_VERIFY_SIGNATURE: 'false' }).providers.phaxio.verifySignatures).toBe(false);
    expect(parseConfig({ ...base, ...phaxio }).providers.phaxio.verifySignatures).toBe(true);
  });
});

describe('inbound sources (GET /admin/config inbound.via)', () => {
  const via = (vars: Record<string, string>) => {
    const config = parseConfig({ ...base, ...vars });
    return inboundSources(config.providers, config.publicApiUrl);
  };
  it('lists SIP agents always, and a provider only with complete callback settings', () => {
    expect(via({})).toEqual(['sip_agents']);
    expect(via(phaxio)).toEqual(['sip_agents', 'phaxio']);
    const { PHAXIO_CALLBACK_TOKEN: _, ...noToken } = phaxio;
    expect(via(noToken)).toEqual(['sip_agents']);
    const { PUBLIC_API_URL: __, ...noUrl } = phaxio;
    expect(via(noUrl)).toEqual(['sip_agents']);
    const sinch = { SINCH_PROJECT_ID: 'p', SINCH_KEY_ID: 'k', SINCH_KEY_SECRET: 's', SINCH_CALLBACK_USERNAME: 'u', SINCH_CALLBACK_PASSWORD: 'w' };
    expect(via({ ...phaxio, ...sinch })).toEqual(['sip_agents', 'phaxio', 'sinch']);
    const { SINCH_CALLBACK_PASSWORD: ___, ...sinchNoPassword } = sinch;
    expect(via({ ...phaxio, ...sinchNoPassword })).toEqual(['sip_agents', 'phaxio']);
  });
});
