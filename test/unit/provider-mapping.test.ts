// Pure parts of the cloud backends: what Phaxio's and Sinch's fax objects mean for an attempt, the
// URL a Phaxio signature covers, the Sinch callback URL with its credentials, and the callback
// source allow-list.
import { describe, expect, it } from 'vitest';
import { phaxioReason, phaxioState } from '../../worker/providers/phaxio/outcome.ts';
import { sinchReason, sinchState } from '../../worker/providers/sinch/outcome.ts';
import { sinchCallbackUrl } from '../../worker/providers/sinch/sinch-api.ts';
import { signedUrl } from '../../worker/routes/callbacks/phaxio.ts';
import { ipAllowed } from '../../worker/lib/ip-allow-list.ts';
import { parseProviderConfig, providerProblems, sinchBaseUrl } from '../../worker/providers/provider-config.ts';

describe('Phaxio fax object -> attempt', () => {
  it('success, failure with reasons, willretry as a provider retry, in flight as pending', () => {
    expect(phaxioState({ id: 1, status: 'success', num_pages: 2 })).toMatchObject({ kind: 'final', outcome: { result: 'success' }, line: { pagesSent: 2, providerRef: '1' } });
    expect(phaxioState({ id: 2, status: 'failure', error_type: 'lineError', error_message: 'Busy' })).toMatchObject({ kind: 'final', outcome: { result: 'failed', reason: 'busy' } });
    expect(phaxioState({ id: 3, status: 'inprogress', recipients: [{ status: 'willretry', retry_count: 2, error_type: 'lineError', error_message: 'No answer' }] })).toMatchObject({ kind: 'retrying', retry: 2, outcome: { reason: 'no_answer' } });
    expect(phaxioState({ id: 4, status: 'queued' })).toEqual({ kind: 'pending' });
    expect(phaxioState({ id: 5, status: 'inprogress', recipients: [{ status: 'callactive' }] })).toEqual({ kind: 'pending' });
  });

  it.each([
    ['documentConversionError', 'Could not convert', 'conversion_failed'],
    ['faxError', 'Far end hung up', 'fax_error'],
    ['fatalError', 'Something fatal', 'rejected'],
    ['lineError', 'Line dropped', 'congestion'],
    ['generalError', 'Unknown', 'failed'],
    ['lineError', 'No answer', 'no_answer'],
    ['fatalError', 'Invalid number', 'invalid_number'],
  ])('%s / %s -> %s', (type, message, reason) => {
    expect(phaxioReason(type, message)).toBe(reason);
  });

  it('keeps no full number in the failure detail', () => {
    const s = phaxioState({ id: 6, status: 'failure', error_type: 'fatalError', error_message: 'Invalid number +12125551234' });
    expect(s.kind === 'final' && s.line.failureDetail).not.toContain('2125551234');
  });
});

describe('Sinch fax object -> attempt', () => {
  it('maps statuses and error types', () => {
    expect(sinchState({ id: 'a', status: 'COMPLETED', pagesSentSuccessfully: 3 })).toMatchObject({ kind: 'final', outcome: { result: 'success' }, line: { pagesSent: 3 } });
    expect(sinchState({ id: 'b', status: 'IN_PROGRESS' })).toEqual({ kind: 'pending' });
    expect(sinchState({ id: 'c', status: 'FAILURE', errorType: 'CALL_ERROR', errorMessage: 'Busy' })).toMatchObject({ outcome: { reason: 'busy' } });
    expect(sinchReason('DOCUMENT_CONVERSION_ERROR', '')).toBe('conversion_failed');
    expect(sinchReason('FAX_ERROR', '')).toBe('fax_error');
    expect(sinchReason('FATAL_ERROR', '')).toBe('rejected');
    expect(sinchReason('LINE_ERROR', '')).toBe('congestion');
    expect(sinchReason('GENERAL_ERROR', '')).toBe('failed');
  });
});

describe('the URL a Phaxio signature covers', () => {
  it('is the configured public URL with the path and query as called, never the Host header', () => {
    expect(signedUrl('https://fax.example.org', 'http://10.0.0.5:8787/callbacks/phaxio?x=1&y=%2F')).toBe('https://fax.example.org/callbacks/phaxio?x=1&y=%2F');
    expect(signedUrl('https://fax.example.org', 'https://evil.example/callbacks/phaxio/')).toBe('https://fax.example.org/callbacks/phaxio/');
    expect(signedUrl('https://example.org/faxbot', 'https://example.org/faxbot/callbacks/phaxio')).toBe('https://example.org/faxbot/callbacks/phaxio');
    expect(signedUrl('https://example.org/faxbot', 'http://127.0.0.1/callbacks/phaxio')).toBe('https://example.org/faxbot/callbacks/phaxio');
  });
});

describe('Sinch settings', () => {
  it('embeds the callback credentials in the URL, percent-encoded', () => {
    const url = sinchCallbackUrl('https://fax.example.org', 'faxbot', 'p@ss:w/rd');
    expect(url).toBe('https://faxbot:p%40ss%3Aw%2Frd@fax.example.org/callbacks/sinch');
  });

  it('picks the regional base URL', () => {
    expect(sinchBaseUrl('global')).toBe('https://fax.api.sinch.com');
    expect(sinchBaseUrl('eu1')).toBe('https://eu1.fax.api.sinch.com');
    expect(parseProviderConfig({ SINCH_REGION: 'apse2' }).sinch.apiUrl).toBe('https://apse2.fax.api.sinch.com');
  });

  it('names what a routed provider lacks, and nothing for one not routed', () => {
    expect(providerProblems({}, new Set(['sandbox']), undefined)).toEqual([]);
    const problems = providerProblems({ PHAXIO_API_KEY: 'k' }, new Set(['phaxio']), 'https://fax.example.org');
    expect(problems).toEqual(['PHAXIO_API_SECRET: required for the phaxio backend', 'PHAXIO_CALLBACK_TOKEN: required for the phaxio backend']);
    expect(providerProblems({}, new Set(['sinch']), undefined).map((p) => p.split(':')[0])).toEqual([
      'PUBLIC_API_URL', 'SINCH_PROJECT_ID', 'SINCH_KEY_ID', 'SINCH_KEY_SECRET', 'SINCH_CALLBACK_USERNAME', 'SINCH_CALLBACK_PASSWORD',
    ]);
  });
});

describe('callback source allow-list', () => {
  it('allows everything when empty, and matches addresses and CIDR ranges otherwise', () => {
    expect(ipAllowed(null, [])).toBe(true);
    expect(ipAllowed('203.0.113.7', ['203.0.113.0/24'])).toBe(true);
    expect(ipAllowed('203.0.114.7', ['203.0.113.0/24'])).toBe(false);
    expect(ipAllowed('198.51.100.1', ['198.51.100.1'])).toBe(true);
    expect(ipAllowed('2001:db8::1', ['2001:db8::/32'])).toBe(true);
    expect(ipAllowed('2001:db9::1', ['2001:db8::/32'])).toBe(false);
    expect(ipAllowed(null, ['203.0.113.0/24'])).toBe(false);
    expect(ipAllowed('not-an-ip', ['203.0.113.0/24'])).toBe(false);
  });
});
