// The dialplan we ship (agent/asterisk/extensions.conf.example, the file docs/agent.md tells hospitals
// to copy) against the defects a real Asterisk showed: the header test must look at the variable's
// value, SendFAX/ReceiveFAX must fall back to audio (`f`), inbound keeps the dialled number, and
// every result event publishes FAXMODE.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const FILE = path.resolve(import.meta.dirname, '../../agent/asterisk/extensions.conf.example');
const text = readFileSync(FILE, 'utf8');
const lines = text.split('\n').filter((l) => !/^\s*;/.test(l));
const code = lines.map((l) => l.replace(/\s;.*$/, '')).join('\n');

describe('the shipped dialplan', () => {
  it('is the file docs/agent.md points at', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/agent.md'), 'utf8');
    expect(doc).toContain('agent/asterisk/extensions.conf.example');
  });

  it('tests the header text by value: ${LEN(${FAXHEADER})}, never ${LEN(FAXHEADER)}', () => {
    expect(code).toContain('${LEN(${FAXHEADER})}');
    expect(code).not.toContain('${LEN(FAXHEADER)}');
  });

  it('lets SendFAX and ReceiveFAX fall back to audio on T.38 trunks', () => {
    expect(code).toMatch(/SendFAX\(\$\{FAXFILE\},\$\{IF\(\$\["\$\{FAXOPTS\}" = ""\]\?f:\$\{FAXOPTS\}\)\}\)/);
    expect(code).toMatch(/ReceiveFAX\(\$\{RXFILE\},f\)/);
  });

  it('keeps the dialled number for inbound faxes before jumping to rx', () => {
    const receive = lines.slice(lines.findIndex((l) => l.startsWith('[faxbot-receive]')));
    for (const pattern of ['_X.', '_+X.']) {
      const i = receive.findIndex((l) => l.startsWith(`exten => ${pattern},1,`));
      expect(receive[i], pattern).toContain('Set(FAXBOT_TO=${EXTEN})');
      expect(receive[i + 1]).toContain('Goto(rx,1)');
    }
    expect(code).toContain('To: ${FAXBOT_TO}');
  });

  it('publishes FAXMODE in every result event', () => {
    for (const ev of ['FaxResult', 'FaxTxHangup', 'FaxReceived', 'FaxRxHangup']) {
      const line = lines.find((l) => l.includes(`UserEvent(${ev},`));
      expect(line, ev).toContain('Mode: ${FAXMODE}');
    }
  });
});
