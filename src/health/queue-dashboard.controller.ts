import { Controller, HttpCode, Logger, Module, Post, Req, Res } from '@nestjs/common';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal } from '../auth/authenticated.decorator';
import { AuthModule } from '../auth/auth.module';
import { bearerToken } from '../auth/jwt.strategy';
import { Permission } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { ApiProblem } from '../common/api-docs';
import { QUEUE_DASHBOARD_PATH, QueueDashboardSessions } from './queue-dashboard-session';

export class QueueDashboardSessionDto {
  @ApiProperty({ example: QUEUE_DASHBOARD_PATH, description: 'Open this path in the same browser: the cookie just set admits it there.' })
  url: string;

  @ApiProperty({ format: 'date-time', description: 'When the dashboard session ends: with the access token it was opened with.' })
  expiresAt: string;
}

@ApiTags('operations')
@Controller('admin/queue-dashboard')
export class QueueDashboardController {
  private readonly logger = new Logger('QueueDashboard');

  constructor(
    private readonly sessions: QueueDashboardSessions,
    private readonly jwt: JwtService,
  ) {}

  @Post('_session')
  @HttpCode(200)
  @Authenticated({ permission: Permission.QueueDashboardOpen })
  @ApiOperation({
    summary: 'Open the queue dashboard in this browser',
    description:
      `Sets an HttpOnly, SameSite=Strict cookie (Secure in production) that only ${QUEUE_DASHBOARD_PATH} receives, valid as long as ` +
      'the access token sent with this request and ending with its session. Then open the returned url. Administrators only.',
  })
  @ApiOkResponse({ type: QueueDashboardSessionDto, headers: { 'Set-Cookie': { description: 'The dashboard session cookie', schema: { type: 'string' } } } })
  @ApiProblem(401, 'Missing, expired or revoked access token.')
  async open(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<QueueDashboardSessionDto> {
    // The guard verified this token; its expiry is the dashboard session's.
    const exp = (this.jwt.decode(bearerToken(request) ?? '') as { exp?: number } | null)?.exp;
    if (!exp) throw new Error('a verified access token without exp');
    const { setCookie, expiresAt } = await this.sessions.open(principal, exp);
    reply.header('Set-Cookie', setCookie);
    this.logger.log({ event: 'queue_dashboard_opened', userId: principal.id, sessionId: principal.sessionId }, 'queue dashboard session opened');
    return { url: QUEUE_DASHBOARD_PATH, expiresAt: expiresAt.toISOString() };
  }
}

@Module({
  imports: [AuthModule, JwtModule.register({})],
  controllers: [QueueDashboardController],
  providers: [QueueDashboardSessions],
  exports: [QueueDashboardSessions],
})
export class QueueDashboardModule {}
