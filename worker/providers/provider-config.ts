// The cloud providers' settings (Phaxio, Sinch) and the routing between backends: their variables
// (part of config.ts's schema), their parsed shape and the problems a deployment must fix. Values
// never appear in a problem, only names and reasons.
import { z } from 'zod';

const optional = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

export const SINCH_REGIONS = ['global', 'use1', 'eu1', 'sae1', 'apse1', 'apse2'] as const;
export type SinchRegion = (typeof SINCH_REGIONS)[number];

export const providerVariables = {
  PHAXIO_API_KEY: optional,
  PHAXIO_API_SECRET: optional,
  PHAXIO_CALLBACK_TOKEN: optional,
  PHAXIO_API_URL: optional.pipe(z.url().optional()),
  PHAXIO_VERIFY_SIGNATURE: z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).optional().default('true'),
  SINCH_PROJECT_ID: optional,
  SINCH_KEY_ID: optional,
  SINCH_KEY_SECRET: optional,
  SINCH_REGION: z.enum(SINCH_REGIONS).optional().default('global'),
  SINCH_API_URL: optional.pipe(z.url().optional()),
  SINCH_AUTH: z.enum(['oauth', 'basic']).optional().default('oauth'),
  SINCH_AUTH_URL: optional.pipe(z.url().optional()),
  SINCH_CALLBACK_USERNAME: optional,
  SINCH_CALLBACK_PASSWORD: optional,
  SINCH_CALLBACK_ALLOWED_IPS: z.string().optional().default(''),
  FAX_FALLBACK_BACKEND: z.enum(['sandbox', 'sip', 'phaxio', 'sinch']).optional(),
  FAX_FALLBACK_AFTER_MINUTES: z.coerce.number().int().min(0).max(1440).optional().default(10),
};

type ProviderVars = { [K in keyof typeof providerVariables]?: z.infer<(typeof providerVariables)[K]> };

export interface PhaxioConfig {
  apiUrl: string;
  apiKey?: string;
  apiSecret?: string;
  callbackToken?: string;
  verifySignatures: boolean;
}

export interface SinchConfig {
  apiUrl: string;
  projectId?: string;
  keyId?: string;
  keySecret?: string;
  auth: 'oauth' | 'basic';
  authUrl: string;
  callbackUsername?: string;
  callbackPassword?: string;
  /** Source addresses allowed to call the Sinch callback (CF-Connecting-IP); empty: any. */
  callbackAllowedIps: string[];
}

export interface ProviderConfig {
  phaxio: PhaxioConfig;
  sinch: SinchConfig;
  fallback: { backend?: 'sandbox' | 'sip' | 'phaxio' | 'sinch'; afterMs: number };
}

/** Sinch's documented bases: https://fax.api.sinch.com, or a regional one such as https://eu1.fax.api.sinch.com. */
export function sinchBaseUrl(region: SinchRegion): string {
  return region === 'global' ? 'https://fax.api.sinch.com' : `https://${region}.fax.api.sinch.com`;
}

export function parseProviderConfig(v: ProviderVars): ProviderConfig {
  return {
    phaxio: {
      apiUrl: (v.PHAXIO_API_URL ?? 'https://api.phaxio.com/v2.1').replace(/\/+$/, ''),
      apiKey: v.PHAXIO_API_KEY,
      apiSecret: v.PHAXIO_API_SECRET,
      callbackToken: v.PHAXIO_CALLBACK_TOKEN,
      verifySignatures: !['false', '0', 'no', 'off'].includes(v.PHAXIO_VERIFY_SIGNATURE ?? 'true'),
    },
    sinch: {
      apiUrl: (v.SINCH_API_URL ?? sinchBaseUrl(v.SINCH_REGION ?? 'global')).replace(/\/+$/, ''),
      projectId: v.SINCH_PROJECT_ID,
      keyId: v.SINCH_KEY_ID,
      keySecret: v.SINCH_KEY_SECRET,
      auth: v.SINCH_AUTH ?? 'oauth',
      authUrl: v.SINCH_AUTH_URL ?? 'https://auth.sinch.com/oauth2/token',
      callbackUsername: v.SINCH_CALLBACK_USERNAME,
      callbackPassword: v.SINCH_CALLBACK_PASSWORD,
      callbackAllowedIps: (v.SINCH_CALLBACK_ALLOWED_IPS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    },
    fallback: { backend: v.FAX_FALLBACK_BACKEND, afterMs: (v.FAX_FALLBACK_AFTER_MINUTES ?? 10) * 60_000 },
  };
}

/** What a provider needs before it can send; empty when it is ready. */
export function providerMissing(name: 'phaxio' | 'sinch', p: ProviderConfig, publicApiUrl: string | undefined): string[] {
  const missing: string[] = [];
  if (!publicApiUrl) missing.push('PUBLIC_API_URL (the providers call back there)');
  if (name === 'phaxio') {
    if (!p.phaxio.apiKey) missing.push('PHAXIO_API_KEY');
    if (!p.phaxio.apiSecret) missing.push('PHAXIO_API_SECRET');
    if (!p.phaxio.callbackToken) missing.push('PHAXIO_CALLBACK_TOKEN');
  } else {
    if (!p.sinch.projectId) missing.push('SINCH_PROJECT_ID');
    if (!p.sinch.keyId) missing.push('SINCH_KEY_ID');
    if (!p.sinch.keySecret) missing.push('SINCH_KEY_SECRET');
    if (!p.sinch.callbackUsername) missing.push('SINCH_CALLBACK_USERNAME');
    if (!p.sinch.callbackPassword) missing.push('SINCH_CALLBACK_PASSWORD');
  }
  return missing;
}

/**
 * Where inbound faxes can arrive from: on-prem SIP agents always (the agent routes are always on),
 * plus each cloud provider whose callback and download settings are complete.
 */
export function inboundSources(p: ProviderConfig, publicApiUrl: string | undefined): Array<'sip_agents' | 'phaxio' | 'sinch'> {
  const providers = (['phaxio', 'sinch'] as const).filter((name) => providerMissing(name, p, publicApiUrl).length === 0);
  return ['sip_agents', ...providers];
}

/**
 * Problems of the provider settings. `used` names the backends this deployment can route to
 * (FAX_BACKEND and the fallback); each must be complete, in every environment.
 */
export function providerProblems(v: ProviderVars, used: ReadonlySet<string>, publicApiUrl: string | undefined): string[] {
  const problems: string[] = [];
  const p = parseProviderConfig(v);
  // Switching signature checks off in production, and short callback credentials, are refused by
  // the production profile (security/production-profile.ts).
  for (const name of ['phaxio', 'sinch'] as const) {
    if (!used.has(name)) continue;
    for (const m of providerMissing(name, p, publicApiUrl)) problems.push(`${m.split(' ')[0]}: required for the ${name} backend`);
  }
  if (p.sinch.callbackAllowedIps.some((ip) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(ip))) {
    problems.push('SINCH_CALLBACK_ALLOWED_IPS: a comma-separated list of IP addresses or CIDR ranges');
  }
  return problems;
}
