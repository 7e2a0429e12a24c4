// The remote MCP server at /mcp, driven by the official SDK's client over Streamable HTTP: it lists
// the tools a key's scopes allow, sends a fax and reads it back, returns a received fax's PDF as an
// embedded resource, and refuses callers without a key (401 with RFC 9728 metadata), with the wrong
// scope, or from a browser origin that is not allowed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { api, createKey, json, makePdf, workerUrl } from '../../support/api.ts';
import { eventually, freshNumber } from '../../support/provider-control.ts';
import { createTestAgent, uploadInbound } from '../../support/agents.ts';

async function connect(token: string | null, headers: Record<string, string> = {}) {
  const client = new Client({ name: 'faxbot-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${workerUrl()}/mcp`), {
    requestInit: { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } },
  });
  await client.connect(transport);
  return client;
}

const text = (r: any) => JSON.parse(r.content.find((c: any) => c.type === 'text').text);

describe('MCP server', () => {
  it('lists tools by scope, sends a fax and reads it back', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const client = await connect(key.token);
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(tools).toEqual(['cancel_fax', 'get_fax', 'list_faxes', 'send_fax']);
    const send = (await client.listTools()).tools.find((t) => t.name === 'send_fax')!;
    expect(send.description).toMatch(/IRREVERSIBLE/);
    expect(send.description).toMatch(/E\.164/);
    const pdf = Buffer.from(await makePdf(1)).toString('base64');
    // A number of its own: calls to one number go one at a time, suite-wide.
    const to = freshNumber();
    const sent = await client.callTool({ name: 'send_fax', arguments: { to, pdf_base64: pdf, cover_subject: 'Referral' } });
    expect(sent.isError).toBeFalsy();
    const job = text(sent);
    expect(job.id).toMatch(/^fax_/);
    const done = await eventually(async () => {
      const got = text(await client.callTool({ name: 'get_fax', arguments: { id: job.id } }));
      return got.status === 'success' ? got : null;
    }, 20_000, 'success');
    expect(done.to).toBe(to);
    const list = text(await client.callTool({ name: 'list_faxes', arguments: { limit: 5 } }));
    expect(list.data.some((f: any) => f.id === job.id)).toBe(true);
    const textFax = await client.callTool({ name: 'send_fax', arguments: { to: '+15555550100', text: 'Plain text fax' } });
    expect(textFax.isError).toBeFalsy();
    await client.close();
  });

  it('says why a bad number is refused, as a tool error (not a crash)', async () => {
    const key = await createKey(['fax:send']);
    const client = await connect(key.token);
    const res = await client.callTool({ name: 'send_fax', arguments: { to: '+999', text: 'x' } });
    expect(res.isError).toBe(true);
    expect(text(res).error.code).toBe('invalid_number');
    await client.close();
  });

  it('a read-only key does not see send_fax and cannot call it', async () => {
    const key = await createKey(['fax:read']);
    const client = await connect(key.token);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['get_fax', 'list_faxes']);
    const res = await client.callTool({ name: 'send_fax', arguments: { to: '+15555550100', text: 'x' } }).catch((e) => ({ isError: true, thrown: String(e) }));
    expect(res.isError).toBe(true);
    await client.close();
  });

  it('returns a received fax with its PDF as an embedded resource', async () => {
    const owner = `mcp-${process.pid}-${Date.now()}`;
    const to = freshNumber();
    expect((await api(`/admin/inbound-numbers/${encodeURIComponent(to)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ owner }) })).status).toBe(200);
    const agent = await createTestAgent();
    const up = await json(await uploadInbound(agent.token, { uniqueid: `mcp.${Date.now()}`, from: '+15555550111', to, pages: 1 }));
    const key = await createKey(['inbound:list', 'inbound:read'], owner);
    const client = await connect(key.token);
    const list = text(await client.callTool({ name: 'list_inbound', arguments: {} }));
    expect(list.data.map((f: any) => f.id)).toEqual([up.id]);
    const got = await client.callTool({ name: 'get_inbound', arguments: { id: up.id } });
    const resource = (got.content as any[]).find((c) => c.type === 'resource').resource;
    expect(resource.mimeType).toBe('application/pdf');
    expect(Buffer.from(resource.blob, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    await client.close();
  });

  it('refuses a caller without a key: 401 pointing at the protected-resource metadata', async () => {
    const res = await fetch(`${workerUrl()}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate')!;
    expect(challenge).toMatch(/^Bearer resource_metadata="/);
    const meta = await json(await fetch(/resource_metadata="([^"]+)"/.exec(challenge)![1]!));
    expect(meta).toMatchObject({ resource: expect.stringMatching(/\/mcp$/), bearer_methods_supported: ['header'] });
    await expect(connect(null)).rejects.toThrow();
  });

  it('refuses a browser origin that is not in CORS_ORIGINS', async () => {
    const key = await createKey(['fax:read']);
    const res = await fetch(`${workerUrl()}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${key.token}`, origin: 'https://evil.example', 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('origin_not_allowed');
  });
});
