// The agent token: read from AGENT_TOKEN_FILE (preferred: it survives rotations) or AGENT_TOKEN, and replaced
// durably when the edge rotates it (`token_update`): temp file + fsync + rename, mode 0600.
import { readFile, stat } from 'node:fs/promises';
import { AGENT_TOKEN_RE } from '../shared/agent-protocol.ts';
import { writeFileAtomic } from './atomic-file.ts';
import type { Logger } from './logger.ts';

export class TokenStoreError extends Error {
  override name = 'TokenStoreError';
}

export interface TokenStore {
  /** The token to present on the next connection. Never log it. */
  current(): string;
  /** True when rotations survive a restart (AGENT_TOKEN_FILE configured). */
  readonly persistent: boolean;
  /** Validates and stores a rotated token; resolves once it is durable (file) or kept in memory (env only). */
  update(token: string): Promise<void>;
}

export async function openTokenStore(opts: { token?: string; tokenFile?: string; logger: Logger }): Promise<TokenStore> {
  const { tokenFile, logger } = opts;
  let token = opts.token;
  if (tokenFile) {
    const fromFile = await readTokenFile(tokenFile, logger);
    if (fromFile !== undefined) {
      if (token !== undefined && token !== fromFile) logger.info('using the token from AGENT_TOKEN_FILE; AGENT_TOKEN is ignored');
      token = fromFile;
    } else if (token !== undefined) {
      await writeFileAtomic(tokenFile, `${token}\n`, 0o600);
      logger.info('AGENT_TOKEN_FILE did not exist: created it from AGENT_TOKEN');
    } else {
      throw new TokenStoreError(`AGENT_TOKEN_FILE: ${tokenFile} does not exist`);
    }
  }
  if (token === undefined) throw new TokenStoreError('AGENT_TOKEN or AGENT_TOKEN_FILE: one is required');
  let current = token;
  return {
    current: () => current,
    persistent: tokenFile !== undefined,
    async update(next: string) {
      if (!AGENT_TOKEN_RE.test(next)) throw new TokenStoreError('the edge sent a token that is not an agent token');
      if (tokenFile) {
        await writeFileAtomic(tokenFile, `${next}\n`, 0o600);
      } else {
        logger.warn('agent token rotated in memory only: a restart will use the old AGENT_TOKEN (configure AGENT_TOKEN_FILE)');
      }
      current = next;
    },
  };
}

async function readTokenFile(file: string, logger: Logger): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TokenStoreError(`AGENT_TOKEN_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const token = text.trim();
  if (!AGENT_TOKEN_RE.test(token)) throw new TokenStoreError(`AGENT_TOKEN_FILE: ${file} does not hold an agent token (fba_<16>_<43>)`);
  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0) logger.warn('AGENT_TOKEN_FILE is readable by group or others: chmod 600 it', { file });
  return token;
}
