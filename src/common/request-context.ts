import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal';

/** Who is asking and under which trace id: passed explicitly to every service that touches personal data. */
export interface RequestContext {
  principal: Principal;
  traceId: string;
  ip?: string;
}

export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { user: Principal }>();
  return { principal: req.user, traceId: String(req.id), ip: req.ip };
});
