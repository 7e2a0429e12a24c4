// Where webhooks may be sent. In production: https only, no credentials in the URL, and never to a
// host that is or resolves to loopback, private, link-local, CGNAT, multicast or cloud-metadata
// addresses (server-side request forgery). Names are resolved over DNS-over-HTTPS (Workers have no
// resolver API), at registration and again before each delivery (DNS rebinding). Development and
// tests may use http and local receivers.

const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
];

function v4(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const p = m.slice(1).map(Number);
  return p.some((x) => x > 255) ? null : ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

export function isBlockedAddress(ip: string): boolean {
  const addr = ip.replace(/^\[|\]$/g, '').toLowerCase();
  const a = v4(addr);
  if (a !== null) return BLOCKED_V4.some(([net, bits]) => (a >>> (32 - bits)) === (v4(net)! >>> (32 - bits)));
  if (!addr.includes(':')) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  if (mapped) return isBlockedAddress(mapped[1]!);
  // Loopback, unspecified, unique local (fc00::/7), link-local (fe80::/10), multicast, metadata (fd00:ec2::254).
  return addr === '::1' || addr === '::' || /^f[cd]/.test(addr) || /^fe[89ab]/.test(addr) || /^ff/.test(addr);
}

const LOCAL_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

export type Resolver = (host: string) => Promise<string[]>;

/** DNS-over-HTTPS (Cloudflare's JSON API): A and AAAA records of `host`. */
export const dohResolver: Resolver = async (host) => {
  const out: string[] = [];
  for (const type of ['A', 'AAAA']) {
    const res = await fetch(`https://cloudflare-dns.com/dns-query?name=${encodeURIComponent(host)}&type=${type}`, { headers: { accept: 'application/dns-json' } });
    if (!res.ok) throw new Error('DNS lookup failed');
    const body = (await res.json()) as { Answer?: Array<{ type: number; data: string }> };
    for (const a of body.Answer ?? []) if (a.type === 1 || a.type === 28) out.push(a.data);
  }
  return out;
};

/** Why this URL may not receive webhooks; null when it may. */
export async function webhookUrlProblem(raw: string, production: boolean, resolve: Resolver = dohResolver): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !production)) return production ? 'must be an https:// URL' : 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not contain credentials';
  if (raw.length > 2000) return 'is longer than 2000 characters';
  if (!production) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (LOCAL_NAMES.test(host)) return 'must not be a local host name';
  if (v4(host) !== null || host.includes(':')) return isBlockedAddress(host) ? 'must not point at a private, loopback, link-local or metadata address' : null;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return 'host name could not be resolved';
  }
  if (addresses.length === 0) return 'host name does not resolve';
  if (addresses.some(isBlockedAddress)) return 'host resolves to a private, loopback, link-local or metadata address';
  return null;
}
