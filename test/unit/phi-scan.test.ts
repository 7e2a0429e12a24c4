import { describe, expect, it } from 'vitest';
import { scanForPhi } from '../support/phi-scan.ts';

describe('scanForPhi (the PHI-in-logs detector)', () => {
  it('finds full numbers in any notation, keys, link tokens, secrets and document text', () => {
    const lines = [
      '{"msg":"sent","to":"+15555550123"}',
      'dial 1 (555) 555-0199 now',
      'auth fbk_abcdefghij012345_0123456789abcdefghijABCDEFGHIJ_-0123456789',
      'GET /fax/fax_x/pdf?expires=1&token=AbCdEfGhIjKlMnOpQrSt',
      'config s3cr3t-value-long',
      'rendered Faxbot test document page 1',
      'Error: Failed query: select 1 from keys where id = $1',
      '{"msg":"x","detail":"params: abc"}',
      '[wrangler:info] PUT /admin/inbound-numbers/+15555550142 200 OK (12ms)',
      'to +44 20 7946 0958',
      '{"to":"+4930123456789"}',
    ];
    const kinds = scanForPhi(lines, ['s3cr3t-value-long']).map((f) => f.kind);
    expect(kinds).toEqual(['phone number', 'phone number', 'api key', 'signed link token', 'secret', 'document text', 'sql text', 'sql text', 'phone number', 'phone number', 'phone number']);
  });

  it('accepts masked numbers and ordinary log lines', () => {
    const lines = ['{"msg":"fax queued","to":"***0123","request_id":"req_abc","ms":12}', 'fbk_abcd…[redacted]', 'GET /fax/fax_0123456789abcdefghijklmn 200', '[wrangler:info] PUT /admin/inbound-numbers/***0142 200 OK (12ms)'];
    expect(scanForPhi(lines, ['s3cr3t-value-long'])).toEqual([]);
  });
});
