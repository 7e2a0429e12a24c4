// GET /admin/config — the effective configuration, sanitised (scope keys:manage): modes, limits,
// storage and backend settings, where inbound faxes can arrive from; secrets only as "set" / "not set".
import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { inboundSources } from '../../providers/provider-config.ts';

const isSet = (v: unknown) => (v ? 'set' : 'not set');

export const adminConfig = new Hono<AppEnv>().get('/', requireScope('keys:manage'), (c) => {
  const cfg = c.get('config');
  return c.json({
    environment: cfg.environment,
    backend: cfg.backend,
    auth: {
      mode: cfg.requireApiKey ? 'api_key' : 'open (development only)',
      bootstrap_api_key: isSet(cfg.bootstrapApiKey),
    },
    limits: {
      max_file_size_bytes: cfg.maxFileSizeBytes,
      max_pages: cfg.maxPages,
      json_body_limit_bytes: cfg.jsonBodyLimitBytes,
      rate_limit_window_seconds: cfg.rateLimits.windowSeconds,
      max_requests_per_minute: cfg.rateLimits.perKey,
      send_rpm: cfg.rateLimits.send,
      inbound_list_rpm: cfg.rateLimits.inboundList,
      inbound_get_rpm: cfg.rateLimits.inboundGet,
      auth_failures_per_minute: cfg.rateLimits.authFailuresPerIp,
    },
    storage: {
      endpoint: cfg.s3.endpoint ?? null,
      bucket: cfg.s3.bucket ?? null,
      region: cfg.s3.region,
      sse_kms: cfg.s3.kmsKeyId ? 'enabled' : 'disabled',
      access_key_id: isSet(cfg.s3.accessKeyId),
      secret_access_key: isSet(cfg.s3.secretAccessKey),
    },
    database: { url: isSet(cfg.databaseUrl), ws_proxy: cfg.databaseWsProxy ? 'set (development only)' : 'not set' },
    security: {
      enforce_https: cfg.enforceHttps,
      public_api_url: cfg.publicApiUrl ?? null,
      cors_origins: cfg.corsOrigins,
      pdf_token_secret: isSet(cfg.pdfTokenSecret),
      pdf_token_ttl_minutes: cfg.pdfTokenTtlMinutes,
    },
    audit: { enabled: cfg.auditEnabled, retention_days: cfg.auditRetentionDays },
    documents: { page_size: cfg.pageSize, default_country_code: cfg.defaultCountryCode },
    inbound: { enabled: true, via: inboundSources(cfg.providers, cfg.publicApiUrl) },
    retry_policy: {
      busy_delay_seconds: cfg.retry.busyDelayMs / 1000,
      no_answer_delay_seconds: cfg.retry.noAnswerDelayMs / 1000,
      connected_delay_seconds: cfg.retry.connectedDelayMs / 1000,
      max_tries: cfg.retry.maxTries,
      max_dials: cfg.retry.maxDials,
      job_expiry_minutes: cfg.retry.expiryMs / 60_000,
      attempt_timeout_seconds: cfg.retry.attemptTimeoutMs / 1000,
    },
    problems: cfg.problems,
  });
});
