// Which backend a due job goes to now. A job keeps the backend it was accepted on (FAX_BACKEND or
// its key's own); with FAX_FALLBACK_BACKEND set, a SIP job whose site has had no agent online for
// FAX_FALLBACK_AFTER_MINUTES goes through the fallback instead. The attempt records which one.
import type { Config } from '../config.ts';
import type { FaxJobRow } from '../db/schema.ts';
import type { AgentRepository } from '../services/agents.ts';
import type { FaxBackend } from './fax-backend.ts';

export function backendRouter(config: Config, agents: AgentRepository, build: (name: string) => FaxBackend | null) {
  const { backend: fallback, afterMs } = config.providers.fallback;
  return async (job: FaxJobRow): Promise<FaxBackend | null> => {
    if (!fallback || fallback === job.backend || job.backend !== 'sip') return build(job.backend);
    const online = await agents.onlineSince(job.site, new Date(Date.now() - afterMs));
    return build(online ? job.backend : fallback);
  };
}
