// Sinch OAuth2 tokens are fetched once and shared (concurrent callers wait for one fetch), reused
// until shortly before they expire, refreshed then, and dropped when the API refuses them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSinchToken, sinchToken } from '../../worker/providers/sinch/token-cache.ts';

let server: http.Server;
let url = '';
let issued = 0;
let lifetime = 3600;
const auths: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      auths.push(String(req.headers.authorization));
      if (body !== 'grant_type=client_credentials') return res.writeHead(400).end('{}');
      issued++;
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `tok-${issued}`, expires_in: lifetime, token_type: 'bearer' })), 30);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('sinchToken', () => {
  it('fetches one token for concurrent callers, with Basic key auth, and reuses it', async () => {
    const source = { authUrl: url, keyId: 'key-a', keySecret: 'secret-a' };
    const tokens = await Promise.all([sinchToken(source), sinchToken(source), sinchToken(source)]);
    expect(new Set(tokens)).toEqual(new Set(['tok-1']));
    expect(await sinchToken(source)).toBe('tok-1');
    expect(issued).toBe(1);
    expect(auths[0]).toBe(`Basic ${Buffer.from('key-a:secret-a').toString('base64')}`);
  });

  it('refreshes a short-lived token before it expires', async () => {
    lifetime = 1;
    const source = { authUrl: url, keyId: 'key-b', keySecret: 'secret-b' };
    const first = await sinchToken(source);
    expect(await sinchToken(source)).toBe(first);
    await new Promise((r) => setTimeout(r, 900));
    expect(await sinchToken(source)).not.toBe(first);
    lifetime = 3600;
  });

  it('fetches a new token after the API refused the cached one', async () => {
    const source = { authUrl: url, keyId: 'key-c', keySecret: 'secret-c' };
    const first = await sinchToken(source);
    dropSinchToken(source, first);
    expect(await sinchToken(source)).not.toBe(first);
  });
});
