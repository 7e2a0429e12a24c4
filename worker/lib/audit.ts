// Records an audit event for the current request: the actor, client IP and request id come from
// the context, so routes only say what happened to which id.
import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';
import type { AuditEvent } from '../services/audit-log.ts';
import { clientIp } from './client-ip.ts';

export async function audit(
  c: Context<AppEnv>,
  event: Pick<AuditEvent, 'action' | 'resourceType' | 'resourceId' | 'outcome' | 'details'>,
): Promise<void> {
  const caller = c.get('caller');
  await c.get('services').audit.record({
    ...event,
    actorType: caller?.kind ?? 'anonymous',
    actorId: caller?.id ?? null,
    clientIp: clientIp(c),
    requestId: c.get('requestId'),
  });
}
