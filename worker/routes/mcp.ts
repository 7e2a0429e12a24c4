// /mcp — a remote MCP server (Streamable HTTP, the official SDK's web-standard transport,
// stateless: one server per request) authenticated from the first line: the authenticate
// middleware has already required an API key (Bearer), and the tools a key sees follow its scopes.
// Browser origins must be in CORS_ORIGINS (DNS-rebinding protection the MCP spec requires). Each
// tool call is carried out by the REST route it mirrors (mcp/tools.ts). Also GET
// /.well-known/oauth-protected-resource (RFC 9728), so clients that look for it learn that this
// resource takes Bearer API keys.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Context, Hono as HonoApp } from 'hono';
import { Hono } from 'hono';
import { SCOPES } from '../auth/scopes.ts';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { registerTools } from '../mcp/tools.ts';

export const MCP_VERSION = '0.1.0';

export function protectedResourceMetadata(base: string) {
  return {
    resource: `${base}/mcp`,
    resource_name: 'Faxbot',
    bearer_methods_supported: ['header'],
    scopes_supported: [...SCOPES],
    resource_documentation: `${base}/docs`,
  };
}

export const wellKnown = new Hono<AppEnv>()
  .get('/oauth-protected-resource', (c) => c.json(protectedResourceMetadata(c.get('config').publicApiUrl ?? new URL(c.req.url).origin)))
  .get('/oauth-protected-resource/mcp', (c) => c.json(protectedResourceMetadata(c.get('config').publicApiUrl ?? new URL(c.req.url).origin)));

export function mcpRoute(app: () => HonoApp<AppEnv>) {
  const handle = async (c: Context<AppEnv>) => {
    const origin = c.req.header('origin');
    if (origin && !c.get('config').corsOrigins.includes(origin.replace(/\/+$/, ''))) {
      throw new ApiError(403, 'origin_not_allowed', 'This Origin may not call the MCP server (CORS_ORIGINS).');
    }
    const caller = c.get('caller');
    const auth = c.req.header('authorization') ?? `Bearer ${c.req.header('x-api-key') ?? ''}`;
    const base = new URL(c.req.url).origin;
    const call = (method: string, path: string, body?: FormData) => {
      const headers = new Headers({ authorization: auth, 'x-request-id': c.get('requestId') });
      const ip = c.req.header('cf-connecting-ip');
      if (ip) headers.set('cf-connecting-ip', ip);
      const proto = c.req.header('x-forwarded-proto');
      if (proto) headers.set('x-forwarded-proto', proto);
      return Promise.resolve(app().fetch(new Request(`${base}${path}`, { method, headers, body }), c.env, c.executionCtx));
    };
    const server = new McpServer({ name: 'faxbot', version: MCP_VERSION }, { capabilities: { tools: {} } });
    registerTools(server, caller.scopes, call);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    return transport.handleRequest(c.req.raw);
  };
  // POST carries JSON-RPC; GET (a server stream) and DELETE (end a session) are answered by the
  // transport too (stateless: 405).
  return new Hono<AppEnv>().post('/', handle).get('/', handle).delete('/', handle);
}
