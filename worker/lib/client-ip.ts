// The caller's IP as Cloudflare reports it (CF-Connecting-IP); null in local setups without it.
import type { Context } from 'hono';

export function clientIp(c: Context): string | null {
  return c.req.header('cf-connecting-ip') ?? null;
}
