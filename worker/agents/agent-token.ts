// Agent tokens: `fba_<16-char token id>_<43-char secret>`. The id finds the row, only SHA-256 of
// the secret is stored, comparisons are constant-time. Several tokens per agent enable rotation.
import { AGENT_TOKEN_RE } from '../../shared/agent-protocol.ts';
import { randomId, randomSecret, sha256Hex } from '../lib/crypto.ts';

export const AGENT_TOKEN_PREFIX = 'fba_';

export function parseAgentToken(token: string): { id: string; secret: string } | null {
  const m = AGENT_TOKEN_RE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export async function issueAgentToken(): Promise<{ id: string; token: string; secretHash: string }> {
  const id = randomId(16);
  const secret = randomSecret(32);
  return { id, token: `${AGENT_TOKEN_PREFIX}${id}_${secret}`, secretHash: await sha256Hex(secret) };
}
