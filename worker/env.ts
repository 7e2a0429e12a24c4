// Bindings the worker receives from wrangler: plain-text vars, secrets and Durable Object namespaces.
// Every variable is documented in docs/configuration.md; parsing and defaults live in config.ts.
import type { JobScheduler } from './lifecycle/job-scheduler.ts';
import type { RateLimiter } from './security/rate-limiter.ts';
import type { AgentHub } from './agents/agent-hub.ts';

export interface Env {
  ENVIRONMENT?: string;
  API_KEY?: string;
  REQUIRE_API_KEY?: string;
  DATABASE_URL?: string;
  DATABASE_WS_PROXY?: string;
  S3_ENDPOINT?: string;
  S3_REGION?: string;
  S3_BUCKET?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_KMS_KEY_ID?: string;
  PUBLIC_API_URL?: string;
  PDF_TOKEN_SECRET?: string;
  PDF_TOKEN_TTL_MINUTES?: string;
  MAX_FILE_SIZE_MB?: string;
  MAX_PAGES?: string;
  DEFAULT_COUNTRY_CODE?: string;
  PAGE_SIZE?: string;
  FAX_BACKEND?: string;
  SANDBOX_STEP_MS?: string;
  CORS_ORIGINS?: string;
  ENFORCE_PUBLIC_HTTPS?: string;
  MAX_REQUESTS_PER_MINUTE?: string;
  SEND_RPM?: string;
  INBOUND_LIST_RPM?: string;
  INBOUND_GET_RPM?: string;
  AUTH_FAILURES_PER_MINUTE?: string;
  RATE_LIMIT_WINDOW_SECONDS?: string;
  AUDIT_LOG_ENABLED?: string;
  AUDIT_RETENTION_DAYS?: string;
  JSON_BODY_LIMIT_KB?: string;
  AGENT_TOKEN_GRACE_HOURS?: string;
  AGENT_HEARTBEAT_SECONDS?: string;
  AGENT_RECONNECT_GRACE_SECONDS?: string;
  AGENT_OFFER_TIMEOUT_SECONDS?: string;
  AGENT_LOST_CALL_SECONDS?: string;
  FAX_RETRY_BUSY_SECONDS?: string;
  FAX_RETRY_NO_ANSWER_SECONDS?: string;
  FAX_RETRY_CONNECTED_SECONDS?: string;
  FAX_MAX_TRIES?: string;
  FAX_MAX_DIALS?: string;
  FAX_JOB_EXPIRY_MINUTES?: string;
  FAX_ATTEMPT_TIMEOUT_SECONDS?: string;
  INBOUND_RETENTION_DAYS?: string;
  ARTIFACT_RETENTION_DAYS?: string;
  JOB_SCHEDULER: DurableObjectNamespace<JobScheduler>;
  AGENT_HUB: DurableObjectNamespace<AgentHub>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
}
