// Wakes the WebhookDispatcher of each endpoint given (kept apart from the class so the HTTP app
// does not import the Durable Object runtime). A failed wake is harmless: deliveries are durable
// rows and the scheduler wakes their dispatchers again.
import type { Env } from '../env.ts';

export async function kickDispatchers(env: Env, endpointIds: Iterable<string>): Promise<void> {
  const ns = env.WEBHOOK_DISPATCHER;
  if (!ns) return;
  await Promise.all([...new Set(endpointIds)].map((id) => ns.get(ns.idFromName(id)).kick(id).catch(() => undefined)));
}
