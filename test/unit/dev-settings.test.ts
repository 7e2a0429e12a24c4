// Unit tests for scripts/stack/dev-settings.ts: which worker variables `npm run dev` passes on.
// Every schema variable (not a hand-written list), the environment over .dev.vars over the dev
// defaults, .dev.vars read with dotenv's rules, and startup lines that name variables, never values.
import { describe, it, expect } from 'vitest';
import { CONFIG_VARIABLES } from '../../worker/config.ts';
import { describeSettings, externalS3, readDevSettings, workerVars } from '../../scripts/stack/dev-settings.ts';

const DEFAULTS = { ENVIRONMENT: 'development', API_KEY: 'generated-admin-key', PDF_TOKEN_SECRET: 'generated-pdf-secret' };

describe('readDevSettings', () => {
  it('knows every schema variable, including the ones the old hand-written list dropped', () => {
    for (const name of ['MAX_REQUESTS_PER_MINUTE', 'CORS_ORIGINS', 'AUTH_FAILURES_PER_MINUTE', 'RATE_LIMIT_WINDOW_SECONDS', 'AGENT_HEARTBEAT_SECONDS']) {
      expect(CONFIG_VARIABLES).toContain(name);
    }
    const env = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, `value-of-${name}`]));
    expect(readDevSettings(env, undefined).values).toEqual(env);
  });

  it('takes the environment over .dev.vars over the defaults, and ignores unrelated environment variables', () => {
    const file = 'MAX_REQUESTS_PER_MINUTE=50\nCORS_ORIGINS=https://ehr.example.org\nAPI_KEY=file-admin-key\n';
    const settings = readDevSettings({ MAX_REQUESTS_PER_MINUTE: '7', HOME: '/home/dev', PATH: '/usr/bin' }, file);
    expect(settings.values).toEqual({ MAX_REQUESTS_PER_MINUTE: '7', CORS_ORIGINS: 'https://ehr.example.org', API_KEY: 'file-admin-key' });
    expect(settings.source).toEqual({ MAX_REQUESTS_PER_MINUTE: 'environment', CORS_ORIGINS: 'file', API_KEY: 'file' });
    expect(settings.overriddenInFile).toEqual(['MAX_REQUESTS_PER_MINUTE']);
    const vars = workerVars(DEFAULTS, settings, { DATABASE_URL: 'postgres://local' });
    expect(vars).toEqual({
      ENVIRONMENT: 'development',
      API_KEY: 'file-admin-key',
      PDF_TOKEN_SECRET: 'generated-pdf-secret',
      MAX_REQUESTS_PER_MINUTE: '7',
      CORS_ORIGINS: 'https://ehr.example.org',
      DATABASE_URL: 'postgres://local',
    });
  });

  it('reads .dev.vars with dotenv rules, as wrangler would', () => {
    const file = [
      'API_KEY=abc#def', // dotenv: `abc` (everything after # is a comment)
      'PAGE_SIZE: a4', // dotenv accepts KEY: value
      'PUBLIC_API_URL="http://127.0.0.1:8787" # local',
      'DEFAULT_COUNTRY_CODE="44\\t"', // \t stays a backslash and a t
      'PDF_TOKEN_SECRET="line one',
      'line two"',
    ].join('\n');
    expect(readDevSettings({}, file).values).toEqual({
      API_KEY: 'abc',
      PAGE_SIZE: 'a4',
      PUBLIC_API_URL: 'http://127.0.0.1:8787',
      DEFAULT_COUNTRY_CODE: '44\\t',
      PDF_TOKEN_SECRET: 'line one\nline two',
    });
  });

  it('an empty environment value hides the file value; empty values are not passed on', () => {
    const settings = readDevSettings({ CORS_ORIGINS: '' }, 'CORS_ORIGINS=https://ehr.example.org\nMAX_PAGES=\n');
    expect(settings.values).toEqual({});
    expect(workerVars(DEFAULTS, settings, {})).toEqual(DEFAULTS);
  });

  it('lists names in the file that are not worker variables', () => {
    expect(readDevSettings({}, 'PORT=9000\nMAX_REQUEST_PER_MINUTE=5\nPAGE_SIZE=a4\n').unknownInFile).toEqual(['PORT', 'MAX_REQUEST_PER_MINUTE']);
  });
});

describe('externalS3', () => {
  it('uses an S3 service only when all four variables are set, and names a partial set', () => {
    const all = { S3_ENDPOINT: 'https://s3.example.org', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'sk' };
    expect(externalS3({ ...all, S3_REGION: 'eu-west-1' }).s3).toEqual({ endpoint: 'https://s3.example.org', bucket: 'b', accessKeyId: 'id', secretAccessKey: 'sk', region: 'eu-west-1' });
    expect(externalS3({ S3_BUCKET: 'b', S3_REGION: 'eu-west-1' })).toEqual({ partial: ['S3_BUCKET'] });
    expect(externalS3({})).toEqual({ partial: [] });
  });
});

describe('describeSettings', () => {
  it('names the file read and each variable by source, never a value', () => {
    const settings = readDevSettings(
      { API_KEY: 'env-secret-admin-key', FAX_BACKEND: 'sip' },
      'PDF_TOKEN_SECRET=file-secret-pdf\nAPI_KEY=file-secret-admin\nTYPO_VAR=x\n',
    );
    const lines = describeSettings(settings, '.dev.vars', true);
    expect(lines).toEqual([
      '  .dev.vars: read (PDF_TOKEN_SECRET)',
      '  environment: API_KEY, FAX_BACKEND',
      '  overridden by the environment: API_KEY',
      '  ignored in .dev.vars (not worker variables): TYPO_VAR',
    ]);
    expect(lines.join('\n')).not.toMatch(/secret-|sip\b/);
    expect(describeSettings(readDevSettings({}, undefined), '.dev.vars', false)).toEqual([
      '  .dev.vars: not found (optional)',
      '  environment: no worker variables',
    ]);
  });
});
