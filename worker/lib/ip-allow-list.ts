// Whether an address is in an allow-list of addresses and CIDR ranges (IPv4 and IPv6), e.g. a
// provider's published callback sources. Hand-written (a few lines) rather than a dependency.

function ipv4(ip: string): bigint | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function ipv6(ip: string): bigint | null {
  if (!ip.includes(':')) return null;
  const [head, tail, extra] = ip.split('::');
  if (extra !== undefined) return null;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : null;
  const groups = t === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function parse(ip: string): { value: bigint; bits: number } | null {
  const v4 = ipv4(ip);
  if (v4 !== null) return { value: v4, bits: 32 };
  const v6 = ipv6(ip);
  return v6 !== null ? { value: v6, bits: 128 } : null;
}

export function ipAllowed(ip: string | null, allowList: readonly string[]): boolean {
  if (allowList.length === 0) return true;
  const addr = ip ? parse(ip.trim()) : null;
  if (!addr) return false;
  return allowList.some((entry) => {
    const [net, len] = entry.split('/');
    const range = parse(net ?? '');
    if (!range || range.bits !== addr.bits) return false;
    const prefix = len === undefined ? range.bits : Number(len);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > range.bits) return false;
    const shift = BigInt(range.bits - prefix);
    return addr.value >> shift === range.value >> shift;
  });
}
