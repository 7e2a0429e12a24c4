// Starts the AMI simulator for manual runs: `node test/support/ami-simulator/cli.ts`.
// Env: AMI_PORT (5038), AMI_HOST (127.0.0.1), AMI_USER/AMI_SECRET (faxbot/faxbotsecret), AMI_TIME_SCALE (1),
// AMI_SPOOL_DIR (inbound TIFFs). Outcome follows the dial string, e.g. Local/s@farbusy/n -> busy.
// Receive a fax: type `rx [from] [to] [pages]` and Enter, or send SIGUSR1 (a 1-page fax).
import { createInterface } from 'node:readline';
import { startAmiSimulator, DEFAULT_USERS } from './index.ts';

const env = process.env;
const username = env.AMI_USER ?? 'faxbot';
const secret = env.AMI_SECRET ?? 'faxbotsecret';
const users = [
  { username, secret, read: ['call', 'user', 'system'], write: ['originate', 'call', 'system'] },
  ...DEFAULT_USERS.filter((u) => u.username !== username),
];

const sim = await startAmiSimulator({
  port: Number(env.AMI_PORT ?? 5038),
  host: env.AMI_HOST ?? '127.0.0.1',
  users,
  timeScale: Number(env.AMI_TIME_SCALE ?? 1),
  spoolDir: env.AMI_SPOOL_DIR,
});
console.log(`AMI simulator listening on ${sim.host}:${sim.port} (user ${username})`);

async function receive(from = '+15555550100', to = '+15555550123', pages = 1): Promise<void> {
  if (!env.AMI_SPOOL_DIR) return void console.log('set AMI_SPOOL_DIR to receive faxes');
  const r = await sim.simulateInboundFax({ from, to, pages });
  console.log(`inbound fax raised (${pages} page(s)): ${JSON.stringify(r)}`);
}
console.log('Type `rx [from] [to] [pages]` to receive a fax.');
process.on('SIGUSR1', () => void receive());
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, from, to, pages] = line.trim().split(/\s+/);
  if (cmd === 'rx') void receive(from, to, pages ? Number(pages) : undefined).catch((e) => console.log(`rx failed: ${e.message}`));
});

const shutdown = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
