// The Hono application: small apps composed with app.route(). Order: request context, error
// handling, public health routes, authentication for everything else, then the API.
import { Hono } from 'hono';
import type { AppEnv } from './context.ts';
import { authenticate } from './middleware/authenticate.ts';
import { notFound, onError } from './middleware/error-handler.ts';
import { requestContext } from './middleware/request-context.ts';
import { createApiKey } from './routes/admin/api-keys/create.ts';
import { listApiKeys } from './routes/admin/api-keys/list.ts';
import { revokeApiKey } from './routes/admin/api-keys/revoke.ts';
import { rotateApiKey } from './routes/admin/api-keys/rotate.ts';
import { cancelFax } from './routes/fax/cancel.ts';
import { getFax } from './routes/fax/get.ts';
import { listFax } from './routes/fax/list.ts';
import { faxPdf } from './routes/fax/pdf.ts';
import { sendFax } from './routes/fax/send.ts';
import { health } from './routes/health.ts';

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use('*', requestContext);
  app.onError(onError);
  app.notFound(notFound);
  app.use('*', authenticate);

  app.route('/health', health);
  app.route('/fax', sendFax);
  app.route('/fax', listFax);
  app.route('/fax', getFax);
  app.route('/fax', cancelFax);
  app.route('/fax', faxPdf);
  app.route('/admin/api-keys', createApiKey);
  app.route('/admin/api-keys', listApiKeys);
  app.route('/admin/api-keys', revokeApiKey);
  app.route('/admin/api-keys', rotateApiKey);
  return app;
}
