// PDFs in the console: the API's own document route, streamed back with the headers that let this
// origin's pages frame it for the preview (security-headers.ts honours FRAMEABLE: X-Frame-Options
// SAMEORIGIN, frame-ancestors 'self'); an API error becomes a plain-text answer with its status.
import type { Context } from 'hono';
import type { ConsoleEnv } from './session.ts';

export const FRAMEABLE = 'x-faxbot-frameable';

export async function proxyDocument(c: Context<ConsoleEnv>, path: string): Promise<Response> {
  const answer = await c.get('api')('GET', path);
  if (!answer.ok) return c.text(`${answer.status} ${answer.body?.error?.code ?? 'error'}: ${answer.body?.error?.message ?? 'The document could not be read.'}`, answer.status as 404);
  const headers = new Headers({ 'content-type': answer.response.headers.get('content-type') ?? 'application/pdf', [FRAMEABLE]: '1' });
  const length = answer.response.headers.get('content-length');
  if (length) headers.set('content-length', length);
  headers.set('content-disposition', 'inline');
  return new Response(answer.response.body, { status: 200, headers });
}
