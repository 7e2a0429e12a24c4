// The agent's AMI client against the recorded logins and error answers of a real Asterisk
// (shared/reference/ami/login_*.txt, misc_errors.txt), replayed byte for byte. ping_before_login is
// a client that acts before logging in, which ours never does; the AMI simulator is held to that
// recording instead (ami-simulator.test.ts).
import path from 'node:path';
import { AMI_RECORDINGS, PJSIP_RECORDINGS } from '../support/ami-recordings.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { AmiClient } from '../../agent/ami/client.ts';
import { AmiActionError } from '../../agent/ami/errors.ts';
import { startAmiReplay, type AmiReplay } from '../support/ami-replay.ts';

const DIR = AMI_RECORDINGS;
let replay: AmiReplay | undefined;
let client: AmiClient | undefined;
afterEach(async () => {
  await client?.close().catch(() => undefined);
  await replay?.close();
  client = undefined;
  replay = undefined;
});

async function against(file: string, authType: 'plain' | 'md5') {
  replay = await startAmiReplay({ recordings: [path.join(DIR, file)], timeScale: 0.05 });
  client = new AmiClient({ host: '127.0.0.1', port: replay.port, username: 'faxbot', secret: 'faxbotsecret', authType, backoff: { baseMs: 60_000, capMs: 60_000 } });
  return client;
}

describe('the AMI client against recorded Asterisk sessions', () => {
  it('login_plain: logs in and pings (the recording\'s second Ping has no ActionID, which ours always sends)', async () => {
    const c = await against('login_plain.txt', 'plain');
    await c.connect();
    expect(c.connected).toBe(true);
    await c.ping();
  });

  it('login_md5: Challenge, then Login with the key', async () => {
    const c = await against('login_md5.txt', 'md5');
    await c.connect();
    expect(c.connected).toBe(true);
  });

  for (const [file, auth] of [['login_bad.txt', 'plain'], ['login_bad_md5.txt', 'md5']] as const) {
    it(`${file}: Authentication failed is an error, not a connection`, async () => {
      const c = await against(file, auth);
      await expect(c.connect()).rejects.toThrow(/auth|login|refused/i);
      expect(c.connected).toBe(false);
    });
  }

  it('misc_errors: a Hangup of a channel that does not exist is refused with Asterisk\'s message', async () => {
    const c = await against('misc_errors.txt', 'plain');
    await c.connect();
    const err = await c.hangup('PJSIP/nonexistent-00000000').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AmiActionError);
    expect((err as AmiActionError).response.message).toMatch(/No such channel/i);
  });
});
