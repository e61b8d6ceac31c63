import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOAuth2, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Permission, PERMISSIONS } from './permissions';
import { Principal } from './principal';

export const AUTH_METADATA = 'ketentafel:auth';

export type RouteAuth = { public: true } | { public: false; permission: Permission };

const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

/**
 * The route needs a signed-in caller holding `permission` (see permissions.ts). The document lists the bearer
 * scheme (people) and, where partner systems hold the permission, one OAuth2 requirement per scope that opens it
 * (alternatives: any one of them will do).
 */
export const Authenticated = (options: { permission: Permission }) =>
  applyDecorators(
    SetMetadata(AUTH_METADATA, { public: false, permission: options.permission } satisfies RouteAuth),
    ApiBearerAuth(),
    ...(PERMISSIONS[options.permission].scopes ?? []).map((scope) => ApiOAuth2([scope], 'oauth2')),
    ApiUnauthorizedResponse({ description: 'Missing, expired or revoked access token.', content: problem }),
    ApiForbiddenResponse({ description: `Caller lacks permission \`${options.permission}\`.`, content: problem }),
  );

/** The route is deliberately open to anonymous callers. */
export const Public = () => SetMetadata(AUTH_METADATA, { public: true } satisfies RouteAuth);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest().user as Principal;
});
