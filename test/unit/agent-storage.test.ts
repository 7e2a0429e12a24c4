// Durable agent state: the journal (atomic rewrite, reload, coalesced concurrent writes, corrupt file set
// aside) and the token store (atomic 0600 file, seeding from AGENT_TOKEN, validation, memory-only mode).
import { mkdtemp, readdir, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../agent/atomic-file.ts';
import { Journal } from '../../agent/journal.ts';
import { createLogger } from '../../agent/logger.ts';
import { openTokenStore, TokenStoreError } from '../../agent/token-store.ts';

const TOKEN = `fba_abcdefgh12345678_${'A'.repeat(43)}`;
const NEXT = `fba_abcdefgh12345678_${'B'.repeat(43)}`;
const job = (n: number) => ({ jobId: `fax_${String(n).padStart(24, '0')}`, offerId: `off_${String(n).padStart(20, '0')}` });
let dir: string;
let logs: string[];
const logger = () => createLogger({ level: 'debug', write: (l) => logs.push(l) });

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'faxbot-agent-store-'));
  logs = [];
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('journal', () => {
  it('persists every change atomically and reloads it', async () => {
    const j = await Journal.open(dir);
    await j.put({ ...job(1), state: 'accepted', to: '+15555550123', documentUrl: 'https://e/x' });
    await j.put({ ...job(2), state: 'dialing', channelId: 'c2' });
    await j.put({ ...job(1), state: 'done', result: { status: 'success', pages: 2 } });
    await j.delete(job(2).jobId);
    const again = await Journal.open(dir);
    expect(again.inFlight()).toEqual([{ ...job(1), state: 'done', result: { status: 'success', pages: 2 } }]);
    expect(again.get(job(1).jobId)?.to).toBeUndefined();
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await stat(path.join(dir, 'journal.json'))).mode & 0o777).toBe(0o600);
  });

  it('coalesces concurrent writes: every awaited change is on disk', async () => {
    const j = await Journal.open(dir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => j.put({ ...job(i), state: 'accepted' })));
    const onDisk = JSON.parse(await readFile(path.join(dir, 'journal.json'), 'utf8')) as { jobs: unknown[] };
    expect(onDisk.jobs).toHaveLength(50);
  });

  it('hands out copies, so callers cannot change the journal behind its back', async () => {
    const j = await Journal.open(dir);
    await j.put({ ...job(1), state: 'accepted' });
    const e = j.get(job(1).jobId)!;
    e.state = 'done';
    expect(j.get(job(1).jobId)?.state).toBe('accepted');
  });

  it('sets a corrupt journal aside and starts empty, logging an error', async () => {
    await writeFile(path.join(dir, 'journal.json'), '{"version":1,"jobs":[');
    const j = await Journal.open(dir, logger());
    expect(j.size).toBe(0);
    expect((await readdir(dir)).some((f) => f.startsWith('journal.json.corrupt-'))).toBe(true);
    expect(logs.some((l) => l.includes('"level":"error"') && l.includes('journal unreadable'))).toBe(true);
  });
});

describe('atomic file writes', () => {
  it('replaces the file with the requested mode and leaves no temp file behind', async () => {
    const file = path.join(dir, 'f');
    await writeFile(file, 'old');
    await chmod(file, 0o644);
    await writeFileAtomic(file, 'new', 0o600);
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['f']);
  });

  it('keeps the old file when the write fails', async () => {
    const file = path.join(dir, 'missing-dir', 'f');
    await expect(writeFileAtomic(file, 'x')).rejects.toThrow();
  });
});

describe('token store', () => {
  it('seeds AGENT_TOKEN_FILE from AGENT_TOKEN, then rotates it durably with mode 0600', async () => {
    const file = path.join(dir, 'agent.token');
    const store = await openTokenStore({ token: TOKEN, tokenFile: file, logger: logger() });
    expect(store.current()).toBe(TOKEN);
    expect(store.persistent).toBe(true);
    expect(await readFile(file, 'utf8')).toBe(`${TOKEN}\n`);
    await store.update(NEXT);
    expect(store.current()).toBe(NEXT);
    expect(await readFile(file, 'utf8')).toBe(`${NEXT}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // a restart prefers the (rotated) file over the stale env token
    const restarted = await openTokenStore({ token: TOKEN, tokenFile: file, logger: logger() });
    expect(restarted.current()).toBe(NEXT);
  });

  it('refuses a malformed token from the edge and keeps the current one', async () => {
    const file = path.join(dir, 'agent.token');
    const store = await openTokenStore({ token: TOKEN, tokenFile: file, logger: logger() });
    await expect(store.update('fba_garbage')).rejects.toBeInstanceOf(TokenStoreError);
    expect(store.current()).toBe(TOKEN);
    expect(await readFile(file, 'utf8')).toBe(`${TOKEN}\n`);
  });

  it('reports a missing or invalid token file without printing its content, and warns on loose permissions', async () => {
    const file = path.join(dir, 'agent.token');
    await expect(openTokenStore({ tokenFile: file, logger: logger() })).rejects.toThrow(/AGENT_TOKEN_FILE: .* does not exist/);
    await writeFile(file, 'fba_secretish_value');
    await expect(openTokenStore({ tokenFile: file, logger: logger() })).rejects.toThrow(/does not hold an agent token/);
    await expect(openTokenStore({ tokenFile: file, logger: logger() })).rejects.not.toThrow(/secretish/);
    await writeFile(file, `${TOKEN}\n`, { mode: 0o644 });
    await chmod(file, 0o644);
    await openTokenStore({ tokenFile: file, logger: logger() });
    expect(logs.some((l) => l.includes('readable by group or others'))).toBe(true);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('without a file: rotation stays in memory, with a warning', async () => {
    const store = await openTokenStore({ token: TOKEN, logger: logger() });
    await store.update(NEXT);
    expect(store.current()).toBe(NEXT);
    expect(store.persistent).toBe(false);
    expect(logs.some((l) => l.includes('"level":"warn"') && l.includes('a restart will use the old AGENT_TOKEN'))).toBe(true);
  });
});
