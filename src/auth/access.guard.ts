import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainException } from '../common/problem';
import { AUTH_METADATA, RouteAuth } from './authenticated.decorator';
import { holdsPermission, permissionRefusal, Principal } from './principal';
import { AuthError } from './auth.errors';

/**
 * The global guard: every route is closed unless it states `@Public()` or `@Authenticated({ permission })`.
 * A route that states neither is refused (and the route-walking test fails on it).
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const auth = this.reflector.getAllAndOverride<RouteAuth | undefined>(AUTH_METADATA, [context.getHandler(), context.getClass()]);
    if (auth?.public) return true;
    await super.canActivate(context);
    if (!auth) throw new DomainException(HttpStatus.FORBIDDEN, AuthError.RouteWithoutPermission, 'This route states no permission and is closed.');
    const principal = context.switchToHttp().getRequest().user as Principal;
    if (!holdsPermission(principal, auth.permission)) throw permissionRefusal(principal, auth.permission);
    return true;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err || !user) {
      throw new DomainException(HttpStatus.UNAUTHORIZED, AuthError.Unauthenticated, 'A valid access token is required.');
    }
    return user;
  }
}
