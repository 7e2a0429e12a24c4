// The Hono application: small apps composed with app.route(). Middleware order: request context,
// security headers, CORS, configuration gate (503 / https), request log, authentication and rate
// limits; then public health routes and the authenticated API.
import { Hono } from 'hono';
import type { AppEnv } from './context.ts';
import { authenticate } from './middleware/authenticate.ts';
import { configGate } from './middleware/config-gate.ts';
import { ensureSweeper } from './middleware/ensure-sweeper.ts';
import { corsForConfiguredOrigins } from './middleware/cors.ts';
import { onError } from './middleware/error-handler.ts';
import { notFoundOrMethodNotAllowed } from './middleware/method-not-allowed.ts';
import { jsonBodyLimit } from './middleware/json-body-limit.ts';
import { rateLimitByKey } from './middleware/rate-limit.ts';
import { requestContext } from './middleware/request-context.ts';
import { requestLog } from './middleware/request-log.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { createApiKey } from './routes/admin/api-keys/create.ts';
import { listApiKeys } from './routes/admin/api-keys/list.ts';
import { revokeApiKey } from './routes/admin/api-keys/revoke.ts';
import { rotateApiKey } from './routes/admin/api-keys/rotate.ts';
import { auditLog } from './routes/admin/audit.ts';
import { adminConfig } from './routes/admin/config.ts';
import { cancelFax } from './routes/fax/cancel.ts';
import { getFax } from './routes/fax/get.ts';
import { listFax } from './routes/fax/list.ts';
import { faxPdf } from './routes/fax/pdf.ts';
import { sendFax } from './routes/fax/send.ts';
import { resendFax } from './routes/fax/resend.ts';
import { faxReport } from './routes/fax/report.ts';
import { health } from './routes/health.ts';
import { createAgent } from './routes/admin/agents/create.ts';
import { listAgents } from './routes/admin/agents/list.ts';
import { agentTokens } from './routes/admin/agents/tokens.ts';
import { inboundNumbers } from './routes/admin/inbound-numbers/index.ts';
import { agentConnect } from './routes/agent/connect.ts';
import { inboundUpload } from './routes/agent/inbound-upload.ts';
import { getInbound } from './routes/inbound/get.ts';
import { listInbound } from './routes/inbound/list.ts';

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use('*', requestContext);
  app.use('*', ensureSweeper);
  app.onError(onError);
  app.use('*', securityHeaders);
  app.use('*', corsForConfiguredOrigins);
  app.use('*', configGate);
  app.use('*', requestLog);
  app.use('*', authenticate);
  app.use('*', rateLimitByKey);
  app.use('/admin/*', jsonBodyLimit);

  app.route('/health', health);
  app.route('/fax', sendFax);
  app.route('/fax', listFax);
  app.route('/fax', getFax);
  app.route('/fax', cancelFax);
  app.route('/fax', faxPdf);
  app.route('/fax', resendFax);
  app.route('/fax', faxReport);
  app.route('/admin/api-keys', createApiKey);
  app.route('/admin/api-keys', listApiKeys);
  app.route('/admin/api-keys', revokeApiKey);
  app.route('/admin/api-keys', rotateApiKey);
  app.route('/admin/audit', auditLog);
  app.route('/admin/config', adminConfig);
  app.route('/admin/agents', createAgent);
  app.route('/admin/agents', listAgents);
  app.route('/admin/agents', agentTokens);
  app.route('/admin/inbound-numbers', inboundNumbers);
  app.route('/inbound', listInbound);
  app.route('/inbound', getInbound);
  app.route('/agent', agentConnect);
  app.route('/agent', inboundUpload);
  app.notFound(notFoundOrMethodNotAllowed(app));
  return app;
}
