// The webhook fan-out: reads the lifecycle's outbox (fax_events, after a cursor) and the received
// faxes not yet announced, and records one delivery per subscribed, enabled endpoint of the owner —
// each read and its deliveries in ONE statement (data-modifying CTEs), so an event is recorded
// exactly once per endpoint (unique endpoint + event) and the cursor never passes an event whose
// deliveries did not commit. Request handlers never create deliveries; only this does (and the
// `webhook.test` route). Returns the endpoints that got new deliveries, to wake their dispatchers.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { queryRows } from '../db/client.ts';

/** Outbox event types clients can subscribe to (the others are internal steps). */
export const FAX_WEBHOOK_EVENTS = ['fax.completed', 'fax.attempt_failed', 'fax.scheduled_started'] as const;
export const WEBHOOK_EVENT_TYPES = [...FAX_WEBHOOK_EVENTS, 'inbound.received', 'webhook.test'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const BATCH = 500;

const subscribed = (type: ReturnType<typeof sql>) => sql`w.enabled and (cardinality(w.event_types) = 0 or ${type} = any(w.event_types))`;
const messageId = (endpoint: ReturnType<typeof sql>, key: ReturnType<typeof sql>) => sql`'msg_' || substr(md5(${endpoint} || ':' || ${key}), 1, 26)`;
const deliveryId = sql`'whd_' || substr(md5(random()::text || clock_timestamp()::text), 1, 24)`;

/** Fans out up to BATCH outbox events; returns endpoint ids with new deliveries and whether more is due. */
export async function fanOutFaxEvents(db: Database): Promise<{ endpoints: string[]; more: boolean }> {
  const rows = await queryRows<{ endpoint_id: string | null; more: boolean }>(
    db,
    sql`with cur as (select last_id from webhook_cursor where name = 'fax_events' for update),
      ev as (select e.* from fax_events e, cur where e.id > cur.last_id order by e.id limit ${BATCH}),
      ins as (
        insert into webhook_deliveries (id, endpoint_id, owner, event_key, message_id, event_type, payload, status, attempts, next_attempt_at, created_at)
        select ${deliveryId}, w.id, ev.owner, 'fax_event:' || ev.id, ${messageId(sql`w.id`, sql`'fax_event:' || ev.id`)}, ev.type,
          jsonb_build_object('type', ev.type, 'timestamp', to_char(ev.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', ev.payload - 'type'),
          'pending', 0, now(), now()
        from ev join webhook_endpoints w on w.owner = ev.owner and ${subscribed(sql`ev.type`)}
        where ev.type in ('fax.completed', 'fax.attempt_failed', 'fax.scheduled_started')
        on conflict (endpoint_id, event_key) do nothing
        returning endpoint_id),
      moved as (update webhook_cursor set last_id = (select max(id) from ev) where name = 'fax_events' and exists (select 1 from ev) returning last_id)
      select distinct ins.endpoint_id, (select count(*) from ev) >= ${BATCH} as more from ins
      union all select null, (select count(*) from ev) >= ${BATCH} from moved`,
  );
  return { endpoints: [...new Set(rows.map((r) => r.endpoint_id).filter((id): id is string => !!id))], more: rows.some((r) => r.more) };
}

/** Announces received faxes whose PDF is stored (`inbound.received`), once each. */
export async function fanOutInbound(db: Database): Promise<string[]> {
  const rows = await queryRows<{ endpoint_id: string }>(
    db,
    sql`with ib as (
        update inbound_faxes set webhooks_dispatched_at = now()
        where id in (select id from inbound_faxes where webhooks_dispatched_at is null and document_status = 'stored' order by created_at limit ${BATCH} for update skip locked)
        returning *),
      ins as (
        insert into webhook_deliveries (id, endpoint_id, owner, event_key, message_id, event_type, payload, status, attempts, next_attempt_at, created_at)
        select ${deliveryId}, w.id, ib.owner, 'inbound:' || ib.id, ${messageId(sql`w.id`, sql`'inbound:' || ib.id`)}, 'inbound.received',
          jsonb_build_object('type', 'inbound.received', 'timestamp', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'data', jsonb_build_object('inbound_id', ib.id, 'source', coalesce(ib.provider, 'agent'), 'pages', ib.pages,
              'to', case when length(regexp_replace(coalesce(ib.to_number, ''), '[^0-9]', '', 'g')) >= 7 then '***' || right(regexp_replace(ib.to_number, '[^0-9]', '', 'g'), 4) else '***' end,
              'received_at', to_char(ib.received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
          'pending', 0, now(), now()
        from ib join webhook_endpoints w on w.owner = ib.owner and ${subscribed(sql`'inbound.received'`)}
        on conflict (endpoint_id, event_key) do nothing
        returning endpoint_id)
      select distinct endpoint_id from ins`,
  );
  return rows.map((r) => r.endpoint_id);
}

/** Both fan-outs; the endpoints to wake, and whether more events wait. */
export async function fanOutWebhooks(db: Database): Promise<{ endpoints: string[]; more: boolean }> {
  const fax = await fanOutFaxEvents(db);
  const inbound = await fanOutInbound(db);
  // Deliveries already due whose dispatcher was not woken (a lost wake-up, a restart).
  const stale = await queryRows<{ endpoint_id: string }>(
    db,
    sql`select distinct d.endpoint_id from webhook_deliveries d join webhook_endpoints w on w.id = d.endpoint_id
        where d.status = 'pending' and d.next_attempt_at <= now() - interval '30 seconds' and w.enabled limit 100`,
  );
  return { endpoints: [...new Set([...fax.endpoints, ...inbound, ...stale.map((r) => r.endpoint_id)])], more: fax.more };
}
