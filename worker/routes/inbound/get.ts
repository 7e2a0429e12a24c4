// GET /inbound/:id (scope inbound:read) and GET /inbound/:id/pdf (inbound:read or the signed link).
import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../../lib/audit.ts';
import { scopeOrSignedLink } from '../../middleware/scope-or-signed-link.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { presentInboundFax } from '../../views/inbound-fax.ts';
import { loadVisibleInbound } from './load-inbound.ts';

export const getInbound = new Hono<AppEnv>()
  .get('/:id', requireScope('inbound:read'), async (c) => c.json(await presentInboundFax(c, await loadVisibleInbound(c, c.req.param('id')))))
  .get(
    '/:id/pdf',
    scopeOrSignedLink('inbound:read'),
    async (c) => {
      const row = await loadVisibleInbound(c, c.req.param('id'));
      const object = row.documentDeletedAt ? null : await c.get('services').documents.get(row.documentKey);
      if (!object) throw new ApiError(404, 'document_not_found', 'The document is no longer stored (retention).');
      await audit(c, { action: 'inbound.document.read', resourceType: 'inbound_fax', resourceId: row.id, outcome: 'success', details: { via: c.get('caller') ? 'api_key' : 'signed_url' } });
      return new Response(object.body, {
        headers: { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${row.id}.pdf"`, ...(object.size !== undefined ? { 'content-length': String(object.size) } : {}) },
      });
    },
  );
