import { ApiScope, GlobalRole, OrganisationType, Permission, PERMISSIONS } from './permissions';

/** The caller of a request, taken from a verified access token (no database read on the hot path). */
export interface Principal {
  kind: 'user' | 'client';
  id: string;
  organisationId: string;
  organisationType: OrganisationType;
  roles: GlobalRole[];
  scopes: ApiScope[];
  sessionId?: string;
  /** Origin IP, for the audit log only. */
  ip?: string;
}

export function holdsPermission(principal: Principal, permission: Permission): boolean {
  const holders = PERMISSIONS[permission];
  if (principal.kind === 'client') return (holders.scopes ?? []).some((s) => principal.scopes.includes(s));
  if (holders.anyUser || (holders.tableRoles?.length ?? 0) > 0) return true;
  return (holders.roles ?? []).some((r) => principal.roles.includes(r));
}
