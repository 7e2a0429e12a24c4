// Append-only audit trail: who did what to which id, with what outcome. Callers pass only
// non-PHI details (masked numbers, counts, reasons); tokens and document content never go here,
// and every string in the details is redacted again on the way in (shared/redact.ts).
import type { Database } from '../db/client.ts';
import { auditEvents } from '../db/schema.ts';
import { redactDetails } from '../../shared/redact.ts';

export interface AuditEvent {
  actorType: 'api_key' | 'bootstrap' | 'anonymous' | 'agent' | 'provider' | 'system';
  actorId?: string | null;
  action: string;
  resourceType?: string;
  resourceId?: string;
  outcome: 'success' | 'failure' | 'denied';
  clientIp?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
}

export class PostgresAuditLog implements AuditLog {
  constructor(private readonly db: () => Database) {}

  async record(event: AuditEvent): Promise<void> {
    await this.db().insert(auditEvents).values({
      actorType: event.actorType,
      actorId: event.actorId ?? null,
      action: event.action,
      resourceType: event.resourceType ?? null,
      resourceId: event.resourceId ?? null,
      outcome: event.outcome,
      clientIp: event.clientIp ?? null,
      requestId: event.requestId ?? null,
      details: event.details ? redactDetails(event.details) : null,
    });
  }
}

export class MemoryAuditLog implements AuditLog {
  readonly events: AuditEvent[] = [];
  async record(event: AuditEvent): Promise<void> {
    this.events.push(event);
  }
}

/** AUDIT_LOG_ENABLED=false (development only: the production profile refuses it). */
export class DisabledAuditLog implements AuditLog {
  async record(): Promise<void> {}
}
