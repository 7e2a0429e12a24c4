// Agent configuration: defaults, env over JSON file, URL derivation and https enforcement, and problems that
// name the variable without echoing secrets.
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agent/config.ts';

const TOKEN = `fba_abcdefgh12345678_${'A'.repeat(43)}`;
const base = {
  EDGE_URL: 'https://faxbot.example.org', AGENT_TOKEN: TOKEN, AMI_USERNAME: 'faxbot', AMI_SECRET: 's3cret!',
  AMI_CHANNEL_TEMPLATE: 'PJSIP/{number}@trunk', SPOOL_DIR: '/var/spool/faxbot',
};

function problems(env: Record<string, string | undefined>, file?: Record<string, unknown> | string): string[] {
  const reader = () => (typeof file === 'string' ? file : JSON.stringify(file ?? {}));
  const r = loadAgentConfig(file === undefined ? env : { ...env, FAXBOT_AGENT_CONFIG: '/etc/faxbot/agent.json' }, reader);
  return r.ok ? [] : r.problems;
}

describe('loadAgentConfig', () => {
  it('applies the documented defaults and derives the WebSocket URL', () => {
    const r = loadAgentConfig(base);
    expect(r).toEqual({
      ok: true,
      config: {
        edgeUrl: 'https://faxbot.example.org', edgeWsUrl: 'wss://faxbot.example.org/agent/connect', agentToken: TOKEN, agentTokenFile: undefined,
        ami: { host: '127.0.0.1', port: 5038, username: 'faxbot', secret: 's3cret!', authType: 'md5' }, amiContext: 'faxbot-send',
        amiChannelTemplate: 'PJSIP/{number}@trunk', maxChannels: 2, spoolDir: '/var/spool/faxbot', asteriskSpoolDir: '/var/spool/faxbot',
        callDeadlineSeconds: 600, healthHost: '127.0.0.1', healthPort: 9464, shutdownTimeoutSeconds: 900, allowInsecureEdge: false,
        logLevel: 'info', faxPaperSize: 'letter',
      },
    });
  });

  it('keeps a path prefix of EDGE_URL and maps http -> ws when insecure edges are allowed', () => {
    const r = loadAgentConfig({ ...base, EDGE_URL: 'http://localhost:8787/faxbot/', AGENT_ALLOW_INSECURE_EDGE: 'true' });
    expect(r.ok && [r.config.edgeUrl, r.config.edgeWsUrl]).toEqual(['http://localhost:8787/faxbot', 'ws://localhost:8787/faxbot/agent/connect']);
  });

  it('names every missing required variable', () => {
    expect(problems({})).toEqual([
      'EDGE_URL: is required', 'AMI_USERNAME: is required', 'AMI_SECRET: is required', 'AMI_CHANNEL_TEMPLATE: is required',
      'SPOOL_DIR: is required', 'AGENT_TOKEN or AGENT_TOKEN_FILE: one is required',
    ]);
  });

  it('refuses plain http unless AGENT_ALLOW_INSECURE_EDGE=true, and other bad URLs', () => {
    expect(problems({ ...base, EDGE_URL: 'http://faxbot.example.org' })).toEqual([
      'EDGE_URL: must use https:// (AGENT_ALLOW_INSECURE_EDGE=true allows http:// for local development only)',
    ]);
    expect(problems({ ...base, EDGE_URL: 'ftp://x' })).toEqual(['EDGE_URL: must start with https://']);
    expect(problems({ ...base, EDGE_URL: 'not a url' })).toEqual(['EDGE_URL: must be a URL like https://faxbot.example.org']);
    expect(problems({ ...base, EDGE_URL: 'https://u:p@x.org/?a=1' })).toEqual(['EDGE_URL: must not contain credentials, a query or a fragment']);
  });

  it('validates values with messages naming the variable, never echoing the token', () => {
    const p = problems({
      ...base, AGENT_TOKEN: 'fba_short_secretvalue', AMI_PORT: '70000', AMI_AUTH: 'sha1', AMI_CHANNEL_TEMPLATE: 'PJSIP/trunk',
      MAX_CHANNELS: '0', HEALTH_PORT: 'x', AGENT_ALLOW_INSECURE_EDGE: 'maybe', LOG_LEVEL: 'loud', SPOOL_DIR: '/var/spool/fax bot',
      CALL_DEADLINE_SECONDS: '5', FAX_PAPER_SIZE: 'legal', AMI_CONTEXT: 'bad context',
    });
    expect(p).toEqual([
      'AGENT_TOKEN: is not an agent token (expected fba_<16 chars>_<43 chars>)', 'AMI_PORT: must be a whole number from 1 to 65535',
      'AMI_AUTH: must be one of md5, plain', 'AMI_CONTEXT: must be a dialplan context name (letters, digits, _ and -)',
      'AMI_CHANNEL_TEMPLATE: must contain {number}, e.g. PJSIP/{number}@trunk', 'MAX_CHANNELS: must be a whole number from 1 to 1000',
      'SPOOL_DIR: must be a path without commas, quotes, backslashes or spaces', 'CALL_DEADLINE_SECONDS: must be a whole number from 30 to 86400',
      'HEALTH_PORT: must be a whole number from 0 to 65535', 'AGENT_ALLOW_INSECURE_EDGE: must be true or false',
      'LOG_LEVEL: must be one of debug, info, warn, error', 'FAX_PAPER_SIZE: must be one of letter, a4',
    ]);
    expect(p.join('\n')).not.toContain('secretvalue');
  });

  it('reads the JSON file (numbers and booleans allowed) and lets the environment win', () => {
    const file = { ...base, MAX_CHANNELS: 8, HEALTH_PORT: 0, AGENT_ALLOW_INSECURE_EDGE: false, AMI_HOST: '10.0.0.5', _comment: 'ok' };
    const r = loadAgentConfig({ FAXBOT_AGENT_CONFIG: '/etc/faxbot/agent.json', MAX_CHANNELS: '4' }, () => JSON.stringify(file));
    expect(r.ok && [r.config.maxChannels, r.config.healthPort, r.config.ami.host]).toEqual([4, 0, '10.0.0.5']);
  });

  it('reports unreadable, invalid or unknown file contents', () => {
    expect(problems(base, '{oops')).toEqual(['FAXBOT_AGENT_CONFIG: /etc/faxbot/agent.json is not valid JSON']);
    expect(problems(base, '[1]')).toEqual(['FAXBOT_AGENT_CONFIG: /etc/faxbot/agent.json must contain a JSON object']);
    expect(problems(base, { EDGEURL: 'x', AMI_PORT: [1] })).toEqual([
      'FAXBOT_AGENT_CONFIG: unknown setting EDGEURL in /etc/faxbot/agent.json', 'AMI_PORT: must be a string, number or boolean in /etc/faxbot/agent.json',
    ]);
    const missing = loadAgentConfig({ ...base, FAXBOT_AGENT_CONFIG: '/nope.json' });
    expect(missing.ok ? [] : missing.problems).toEqual(['FAXBOT_AGENT_CONFIG: /nope.json cannot be read (ENOENT)']);
  });

  it('accepts AGENT_TOKEN_FILE alone and ASTERISK_SPOOL_DIR', () => {
    const r = loadAgentConfig({ ...base, AGENT_TOKEN: undefined, AGENT_TOKEN_FILE: '/etc/faxbot/token', ASTERISK_SPOOL_DIR: '/var/spool/asterisk/faxbot' });
    expect(r.ok && [r.config.agentToken, r.config.agentTokenFile, r.config.asteriskSpoolDir]).toEqual([undefined, '/etc/faxbot/token', '/var/spool/asterisk/faxbot']);
  });
});
