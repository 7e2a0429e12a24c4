// Parses the worker's environment into a typed configuration once per isolate, with defaults.
// Problems are collected (names only, never values) so the app can refuse to serve a broken setup.
import { z } from 'zod';
import { isKnownCallingCode } from '../shared/phone.ts';
import type { Env } from './env.ts';
import { productionProblems } from './security/production-profile.ts';
import type { RetryPolicy } from './lifecycle/retry-policy.ts';
import { parseProviderConfig, providerProblems, providerVariables, type ProviderConfig } from './providers/provider-config.ts';
import { parseWebhookConfig, webhookVariables, type WebhookConfig } from './webhooks/webhook-config.ts';

export const FAX_BACKENDS = ['sandbox', 'sip', 'phaxio', 'sinch'] as const;
export type FaxBackendName = (typeof FAX_BACKENDS)[number];

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).optional().default(fallback);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

/**
 * Failed authentications allowed per client IP per window when AUTH_FAILURES_PER_MINUTE is unset.
 * In development every local client is the same address (wrangler dev gives each request
 * CF-Connecting-IP 127.0.0.1), so production's 10 would lock the developer out for a window
 * after ten bad keys; there the default is high enough for tests and scripts that try bad keys.
 */
export const AUTH_FAILURES_DEFAULT = { production: 10, test: 10, development: 1000 } as const;

const schema = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'production']).optional().default('production'),
  API_KEY: optionalString,
  REQUIRE_API_KEY: bool(true),
  DATABASE_URL: optionalString,
  DATABASE_WS_PROXY: optionalString,
  S3_ENDPOINT: optionalString,
  S3_REGION: z.string().optional().default('us-east-1'),
  S3_BUCKET: optionalString,
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_KMS_KEY_ID: optionalString,
  PUBLIC_API_URL: optionalString.pipe(z.url().optional()),
  PDF_TOKEN_SECRET: optionalString,
  PDF_TOKEN_TTL_MINUTES: int(60, 1, 24 * 60),
  // At most 20: what concurrent uploads fit in a 128 MB isolate (docs/configuration.md, 'Upload size and memory').
  MAX_FILE_SIZE_MB: int(10, 1, 20),
  MAX_PAGES: int(200, 1, 10_000),
  DEFAULT_COUNTRY_CODE: z
    .string()
    .optional()
    .default('1')
    .pipe(
      z
        .string()
        .regex(/^\+?[1-9]\d{0,2}$/, 'a country calling code such as 1 or 44')
        .refine(isKnownCallingCode, 'a country calling code that exists (1, 44, 49, …)'),
    ),
  PAGE_SIZE: z.enum(['letter', 'a4']).optional().default('letter'),
  FAX_BACKEND: z.enum(FAX_BACKENDS).optional().default('sandbox'),
  SANDBOX_STEP_MS: int(1500, 0, 60_000),
  CORS_ORIGINS: z.string().optional().default(''),
  ENFORCE_PUBLIC_HTTPS: z.enum(['true', 'false', '1', '0', 'yes', 'no']).optional(),
  MAX_REQUESTS_PER_MINUTE: int(120, 1, 1_000_000),
  SEND_RPM: z.coerce.number().int().min(1).max(1_000_000).optional(),
  INBOUND_LIST_RPM: z.coerce.number().int().min(1).max(1_000_000).optional(),
  INBOUND_GET_RPM: z.coerce.number().int().min(1).max(1_000_000).optional(),
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 3600),
  AUDIT_LOG_ENABLED: bool(true),
  AUDIT_RETENTION_DAYS: int(365, 1, 36500),
  JSON_BODY_LIMIT_KB: int(64, 1, 1024),
  AGENT_TOKEN_GRACE_HOURS: z.coerce.number().min(0).max(24 * 30).optional().default(24),
  AGENT_HEARTBEAT_SECONDS: int(15, 1, 300),
  AGENT_RECONNECT_GRACE_SECONDS: int(30, 0, 3600),
  AGENT_OFFER_TIMEOUT_SECONDS: int(30, 1, 3600),
  AGENT_LOST_CALL_SECONDS: int(900, 1, 86_400),
  FAX_RETRY_BUSY_SECONDS: int(180, 0, 86_400),
  FAX_RETRY_NO_ANSWER_SECONDS: int(300, 0, 86_400),
  FAX_RETRY_CONNECTED_SECONDS: int(60, 0, 86_400),
  FAX_MAX_TRIES: int(3, 1, 5),
  FAX_MAX_DIALS: int(12, 1, 100),
  FAX_JOB_EXPIRY_MINUTES: int(180, 1, 60 * 24 * 31),
  FAX_ATTEMPT_TIMEOUT_SECONDS: int(1800, 10, 86_400),
  INBOUND_RETENTION_DAYS: int(30, 1, 36500),
  ARTIFACT_RETENTION_DAYS: int(30, 1, 36500),
  CONSOLE_IDLE_MINUTES: int(15, 1, 24 * 60),
  CONSOLE_SESSION_HOURS: int(8, 1, 24 * 7),
  ...providerVariables,
  ...webhookVariables,
});

/**
 * Every variable the worker reads, in schema order: `npm run dev` passes each one on (from the
 * environment or .dev.vars) and docs/configuration.md must document each (test/unit/config-docs.test.ts).
 */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(schema.shape));

export interface Config {
  environment: 'development' | 'test' | 'production';
  bootstrapApiKey?: string;
  requireApiKey: boolean;
  databaseUrl?: string;
  databaseWsProxy?: string;
  s3: {
    endpoint?: string;
    region: string;
    bucket?: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    kmsKeyId?: string;
  };
  publicApiUrl?: string;
  pdfTokenSecret?: string;
  pdfTokenTtlMinutes: number;
  maxFileSizeBytes: number;
  /** Largest fax accepted, in pages (cover sheet included). */
  maxPages: number;
  defaultCountryCode: string;
  pageSize: 'letter' | 'a4';
  backend: FaxBackendName;
  sandboxStepMs: number;
  /** Exact origins allowed to call the API from a browser; empty means no CORS at all. */
  corsOrigins: string[];
  /** Refuse plain-http requests (default on in production). */
  enforceHttps: boolean;
  rateLimits: {
    windowSeconds: number;
    perKey: number;
    send: number;
    inboundList: number;
    inboundGet: number;
    authFailuresPerIp: number;
  };
  auditEnabled: boolean;
  auditRetentionDays: number;
  jsonBodyLimitBytes: number;
  agents: {
    tokenGraceMs: number;
    heartbeatSeconds: number;
    reconnectGraceMs: number;
    offerTimeoutMs: number;
    lostCallMs: number;
  };
  retention: { inboundDays: number; artifactDays: number };
  /** The job lifecycle's retry policy (worker/lifecycle/retry-policy.ts). */
  retry: RetryPolicy;
  /** Phaxio, Sinch and the fallback route (worker/providers/provider-config.ts). */
  providers: ProviderConfig;
  /** Client webhooks (worker/webhooks/). */
  webhooks: WebhookConfig;
  /** The admin console's sessions (worker/console/). */
  console: { idleMs: number; maxAgeMs: number };
  /** Names of misconfigured variables with the reason; never the values. */
  problems: string[];
}

const cache = new WeakMap<object, Config>();

export function loadConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const config = parseConfig(env as unknown as Record<string, unknown>);
  cache.set(env, config);
  return config;
}

export function parseConfig(raw: Record<string, unknown>): Config {
  const problems: string[] = [];
  const parsed = schema.safeParse(raw);
  // On invalid input fall back to defaults for the broken fields so the problems can be reported.
  let v: z.infer<typeof schema>;
  if (parsed.success) {
    v = parsed.data;
  } else {
    const bad = new Set<string>();
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      bad.add(name);
      problems.push(`${name}: ${issue.message}`);
    }
    const cleaned = Object.fromEntries(Object.entries(raw).filter(([k]) => !bad.has(k)));
    v = schema.parse(cleaned);
  }
  const required: Array<[keyof typeof v, string]> = [
    ['DATABASE_URL', 'is required'],
    ['S3_ENDPOINT', 'is required'],
    ['S3_BUCKET', 'is required'],
    ['S3_ACCESS_KEY_ID', 'is required'],
    ['S3_SECRET_ACCESS_KEY', 'is required'],
    ['PDF_TOKEN_SECRET', 'is required (signs short-lived document links)'],
  ];
  for (const [name, why] of required) if (v[name] === undefined) problems.push(`${name}: ${why}`);
  if (!v.REQUIRE_API_KEY && v.ENVIRONMENT !== 'development') {
    problems.push('REQUIRE_API_KEY: may be false only when ENVIRONMENT=development');
  }
  if (v.AUDIT_RETENTION_DAYS < 90) problems.push('AUDIT_RETENTION_DAYS: must be at least 90');
  const corsOrigins = v.CORS_ORIGINS.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean);
  if (corsOrigins.includes('*')) problems.push('CORS_ORIGINS: must list exact origins, never *');
  if (corsOrigins.some((o) => o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o))) problems.push('CORS_ORIGINS: each entry must be an origin like https://app.example.org');
  if (v.ENVIRONMENT === 'production') problems.push(...productionProblems(stringsOnly(raw)));
  const routed = new Set<string>([v.FAX_BACKEND, ...(v.FAX_FALLBACK_BACKEND ? [v.FAX_FALLBACK_BACKEND] : [])]);
  problems.push(...providerProblems(v, routed, v.PUBLIC_API_URL?.replace(/\/+$/, '')));
  const enforceHttps = v.ENFORCE_PUBLIC_HTTPS === undefined ? v.ENVIRONMENT === 'production' : ['true', '1', 'yes'].includes(v.ENFORCE_PUBLIC_HTTPS);
  return {
    environment: v.ENVIRONMENT,
    bootstrapApiKey: v.API_KEY,
    requireApiKey: v.REQUIRE_API_KEY,
    databaseUrl: v.DATABASE_URL,
    databaseWsProxy: v.DATABASE_WS_PROXY,
    s3: {
      endpoint: v.S3_ENDPOINT,
      region: v.S3_REGION,
      bucket: v.S3_BUCKET,
      accessKeyId: v.S3_ACCESS_KEY_ID,
      secretAccessKey: v.S3_SECRET_ACCESS_KEY,
      kmsKeyId: v.S3_KMS_KEY_ID,
    },
    publicApiUrl: v.PUBLIC_API_URL?.replace(/\/+$/, ''),
    pdfTokenSecret: v.PDF_TOKEN_SECRET,
    pdfTokenTtlMinutes: v.PDF_TOKEN_TTL_MINUTES,
    maxFileSizeBytes: v.MAX_FILE_SIZE_MB * 1024 * 1024,
    maxPages: v.MAX_PAGES,
    defaultCountryCode: v.DEFAULT_COUNTRY_CODE.replace(/^\+/, ''),
    pageSize: v.PAGE_SIZE,
    backend: v.FAX_BACKEND,
    sandboxStepMs: v.SANDBOX_STEP_MS,
    corsOrigins: corsOrigins.filter((o) => o !== '*'),
    enforceHttps,
    rateLimits: {
      windowSeconds: v.RATE_LIMIT_WINDOW_SECONDS,
      perKey: v.MAX_REQUESTS_PER_MINUTE,
      send: v.SEND_RPM ?? v.MAX_REQUESTS_PER_MINUTE,
      inboundList: v.INBOUND_LIST_RPM ?? v.MAX_REQUESTS_PER_MINUTE,
      inboundGet: v.INBOUND_GET_RPM ?? v.MAX_REQUESTS_PER_MINUTE,
      authFailuresPerIp: v.AUTH_FAILURES_PER_MINUTE ?? AUTH_FAILURES_DEFAULT[v.ENVIRONMENT],
    },
    auditEnabled: v.AUDIT_LOG_ENABLED,
    auditRetentionDays: v.AUDIT_RETENTION_DAYS,
    jsonBodyLimitBytes: v.JSON_BODY_LIMIT_KB * 1024,
    agents: {
      tokenGraceMs: v.AGENT_TOKEN_GRACE_HOURS * 3600_000,
      heartbeatSeconds: v.AGENT_HEARTBEAT_SECONDS,
      reconnectGraceMs: v.AGENT_RECONNECT_GRACE_SECONDS * 1000,
      offerTimeoutMs: v.AGENT_OFFER_TIMEOUT_SECONDS * 1000,
      lostCallMs: Math.max(v.AGENT_LOST_CALL_SECONDS, v.AGENT_RECONNECT_GRACE_SECONDS) * 1000,
    },
    retention: { inboundDays: v.INBOUND_RETENTION_DAYS, artifactDays: v.ARTIFACT_RETENTION_DAYS },
    retry: {
      busyDelayMs: v.FAX_RETRY_BUSY_SECONDS * 1000,
      noAnswerDelayMs: v.FAX_RETRY_NO_ANSWER_SECONDS * 1000,
      connectedDelayMs: v.FAX_RETRY_CONNECTED_SECONDS * 1000,
      maxTries: v.FAX_MAX_TRIES,
      maxDials: v.FAX_MAX_DIALS,
      expiryMs: v.FAX_JOB_EXPIRY_MINUTES * 60_000,
      attemptTimeoutMs: v.FAX_ATTEMPT_TIMEOUT_SECONDS * 1000,
    },
    providers: parseProviderConfig(v),
    webhooks: parseWebhookConfig(v, v.ENVIRONMENT, problems),
    console: { idleMs: v.CONSOLE_IDLE_MINUTES * 60_000, maxAgeMs: v.CONSOLE_SESSION_HOURS * 3600_000 },
    problems: [...new Set(problems)],
  };
}

/** Bindings also carry Durable Object namespaces; the profile checks look at text settings only. */
function stringsOnly(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
