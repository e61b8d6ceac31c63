import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../common/problem';
import { ApiScope, GlobalRole, OrganisationType, Permission, PERMISSIONS } from './permissions';
import { AuthError } from './auth.errors';

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
  if (holders.organisationTypes?.includes(principal.organisationType)) return true;
  return (holders.roles ?? []).some((r) => principal.roles.includes(r));
}

/**
 * The 403 for a caller who lacks the permission. A partner system is told which OAuth2 scope(s) to
 * request (its only way to get the permission), also as `requiredScopes`; a person, the permission.
 */
export function permissionRefusal(principal: Principal, permission: Permission): DomainException {
  if (principal.kind === 'client') {
    const scopes = PERMISSIONS[permission].scopes ?? [];
    const detail = scopes.length
      ? `This requires the OAuth2 scope ${scopes.join(' or ')}: have it granted to your API client and request it with the token.`
      : 'No OAuth2 scope opens this operation to partner systems.';
    return new DomainException(HttpStatus.FORBIDDEN, AuthError.PermissionDenied, detail, { requiredScopes: scopes });
  }
  return new DomainException(HttpStatus.FORBIDDEN, AuthError.PermissionDenied, `This requires the permission ${permission}.`);
}
