// API key scopes. A key holding `keys:manage` is an administrator: it sees every owner's resources.
export const SCOPES = ['fax:send', 'fax:read', 'inbound:list', 'inbound:read', 'keys:manage', 'agents:manage', 'webhooks:manage'] as const;
export type Scope = (typeof SCOPES)[number];

export const ADMIN_SCOPE: Scope = 'keys:manage';

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
