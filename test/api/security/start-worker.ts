// startCustomWorker with retries. wrangler dev processes that start at the same moment (test files
// run in parallel) can race for workerd's internal sockets and exit with "Address already in use
// (socket direct:1:default)"; the failure is immediate, so a jittered retry is cheap and reliable.
import { startCustomWorker, type CustomWorker } from '../../support/custom-worker.ts';

export async function startWorker(vars: Record<string, string | undefined>, attempts = 5): Promise<CustomWorker> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startCustomWorker(vars);
    } catch (err) {
      lastError = err;
      if (!/exited with code/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
    }
  }
  throw lastError;
}
