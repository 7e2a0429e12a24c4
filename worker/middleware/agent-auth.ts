// Authenticates agents (routes under /agent/) with their own tokens: `Authorization: Bearer fba_...`.
// Failed attempts count against the same per-IP limit as API keys, and are audited.
import { redact } from '../../shared/redact.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { audit } from '../lib/audit.ts';
import type { VerifiedAgent } from '../services/agents.ts';
import { authFailureLimiter } from './rate-limit.ts';
import { MALFORMED, presentedKey } from './authenticate.ts';

export async function authenticateAgent(c: Context<AppEnv>): Promise<VerifiedAgent> {
  const token = presentedKey((n) => c.req.header(n));
  if (!token) throw new ApiError(401, 'missing_agent_token', 'Send the agent token as Authorization: Bearer fba_...');
  const failures = authFailureLimiter(c);
  // Malformed credentials count as a failed authentication like a wrong token.
  const [, verified] = await Promise.all([failures.assertNotBlocked(), token === MALFORMED ? null : c.get('services').agents.verify(token)]);
  if (!verified) {
    await failures.recordFailure();
    c.executionCtx.waitUntil(audit(c, { action: 'agent.auth.failure', outcome: 'denied', details: { path: redact(c.req.path) } }).catch(() => {}));
    throw new ApiError(401, 'invalid_agent_token', 'The agent token is invalid, expired or revoked.');
  }
  return verified;
}
