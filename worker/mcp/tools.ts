// The MCP tools, each the twin of a REST route and carried out BY that route: a tool call becomes
// an internal request to the same app with the caller's own key, so validation, scopes, rate limits,
// audit events and the PHI rules are exactly the REST API's. A key only sees the tools its scopes
// allow (a key without fax:send does not see send_fax).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Scope } from '../auth/scopes.ts';

/** Calls the REST API as the MCP caller; returns status and parsed JSON (or bytes for PDFs). */
export type ApiCall = (method: string, path: string, body?: FormData) => Promise<Response>;

const NUMBER_HELP =
  'Fax number in E.164 form, e.g. +12125551234 (a national number is completed with the deployment\'s default country code). The number must exist in the numbering plan.';

async function asResult(res: Response) {
  const text = await res.text();
  return { content: [{ type: 'text' as const, text }], isError: !res.ok };
}

function toBytes(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64.replace(/\s+/g, '')), (ch) => ch.charCodeAt(0));
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function registerTools(server: McpServer, scopes: ReadonlySet<Scope>, call: ApiCall): void {
  if (scopes.has('fax:send')) {
    server.registerTool(
      'send_fax',
      {
        title: 'Send a fax',
        description: `Sends a fax. IRREVERSIBLE: once dialled a fax cannot be recalled, so confirm the number and the document with the user first. ${NUMBER_HELP} Give the document as a base64 PDF (pdf_base64) or as plain text (text). Returns the fax job; poll get_fax for its status.`,
        inputSchema: {
          to: z.string().describe(NUMBER_HELP),
          pdf_base64: z.string().optional().describe('The document as a base64-encoded PDF.'),
          text: z.string().optional().describe('The document as plain UTF-8 text (rendered to PDF).'),
          header_text: z.string().optional().describe('Header line printed on each page (printable ASCII, at most 100 characters).'),
          cover_to: z.string().optional(),
          cover_from: z.string().optional(),
          cover_subject: z.string().optional(),
          cover_message: z.string().optional(),
        },
      },
      async (args) => {
        if (!args.pdf_base64 === !args.text) return { content: [{ type: 'text', text: 'Give exactly one of pdf_base64 or text.' }], isError: true };
        const form = new FormData();
        form.set('to', args.to);
        const body = args.pdf_base64 ? toBytes(args.pdf_base64) : new TextEncoder().encode(args.text ?? '');
        form.set('file', new Blob([body as Uint8Array<ArrayBuffer>], { type: args.pdf_base64 ? 'application/pdf' : 'text/plain' }), args.pdf_base64 ? 'document.pdf' : 'document.txt');
        for (const k of ['header_text', 'cover_to', 'cover_from', 'cover_subject', 'cover_message'] as const) if (args[k]) form.set(k, args[k]!);
        return asResult(await call('POST', '/fax', form));
      },
    );
    server.registerTool(
      'cancel_fax',
      { title: 'Cancel a fax', description: 'Cancels a fax that is scheduled or waiting (not one being dialled).', inputSchema: { id: z.string().describe('The fax id (fax_...).') } },
      async ({ id }) => asResult(await call('POST', `/fax/${encodeURIComponent(id)}/cancel`)),
    );
  }
  if (scopes.has('fax:read')) {
    server.registerTool(
      'get_fax',
      { title: 'Get a fax', description: 'A fax job with its status, attempts and failure reason.', inputSchema: { id: z.string().describe('The fax id (fax_...).') } },
      async ({ id }) => asResult(await call('GET', `/fax/${encodeURIComponent(id)}`)),
    );
    server.registerTool(
      'list_faxes',
      {
        title: 'List faxes',
        description: 'Fax jobs of this key\'s owner, newest first.',
        inputSchema: { status: z.string().optional().describe('Comma-separated statuses: scheduled, queued, in_progress, success, failed, canceled, unknown.'), limit: z.number().int().min(1).max(100).optional(), cursor: z.string().optional() },
      },
      async (args) => {
        const q = new URLSearchParams(Object.entries(args).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
        return asResult(await call('GET', `/fax${q.size ? `?${q}` : ''}`));
      },
    );
  }
  if (scopes.has('inbound:list')) {
    server.registerTool(
      'list_inbound',
      { title: 'List received faxes', description: 'Faxes received for this key\'s owner, newest first.', inputSchema: { limit: z.number().int().min(1).max(100).optional(), cursor: z.string().optional() } },
      async (args) => {
        const q = new URLSearchParams(Object.entries(args).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
        return asResult(await call('GET', `/inbound${q.size ? `?${q}` : ''}`));
      },
    );
  }
  if (scopes.has('inbound:read')) {
    server.registerTool(
      'get_inbound',
      { title: 'Get a received fax', description: 'A received fax and its PDF (as an embedded resource).', inputSchema: { id: z.string().describe('The inbound fax id (inb_...).') } },
      async ({ id }) => {
        const meta = await call('GET', `/inbound/${encodeURIComponent(id)}`);
        if (!meta.ok) return asResult(meta);
        const info = await meta.text();
        const pdf = await call('GET', `/inbound/${encodeURIComponent(id)}/pdf`);
        if (!pdf.ok) return { content: [{ type: 'text' as const, text: info }, { type: 'text' as const, text: await pdf.text() }], isError: true };
        const blob = toBase64(new Uint8Array(await pdf.arrayBuffer()));
        return { content: [{ type: 'text' as const, text: info }, { type: 'resource' as const, resource: { uri: `faxbot://inbound/${id}.pdf`, mimeType: 'application/pdf', blob } }] };
      },
    );
  }
}
