// A benchmark's database and S3 stack in its own process, so the load generator's CPU is not counted
// with the servers' and the stack can be pinned to the server core. Speaks over the IPC channel:
// sends {ready, vars, databaseUrl}; answers 'stats' with the proxy's counts; 'close' stops it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalStack } from '../stack/local-stack.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-bench-stack-'));
const stack = await startLocalStack({ dataDir: dir, databaseUrl: process.env.BENCH_STACK_DATABASE_URL || undefined, ephemeral: true, scratch: true });
process.send!({ type: 'ready', vars: stack.vars, databaseUrl: stack.databaseUrl });
process.on('message', async (m: { type: string }) => {
  if (m.type === 'stats') process.send!({ type: 'stats', stats: stack.proxy?.stats() ?? { sessions: 0, statements: 0 } });
  if (m.type === 'close') {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
