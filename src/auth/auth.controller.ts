import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimitGuard } from './rate-limit.guard';
import type { FastifyRequest } from 'fastify';
import { ApiInvalidInput, ApiProblem, ApiRateLimited } from '../common/api-docs';
import { AcceptInvitationDto, ChangePasswordDto, LoginDto, MeDto, RefreshDto, TokenPairDto } from './auth.dto';
import { AuthService } from './auth.service';
import { Authenticated, CurrentPrincipal, Public } from './authenticated.decorator';
import { Permission } from './permissions';
import type { Principal } from './principal';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @UseGuards(RateLimitGuard)
  @ApiOperation({ summary: 'Log in with e-mail and password', description: 'Returns a 15-minute access token and a single-use refresh token.' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiInvalidInput()
  @ApiProblem(401, 'Wrong e-mail address or password, or the account is disabled.')
  @ApiRateLimited()
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<TokenPairDto> {
    return this.auth.login(dto.email, dto.password, req.ip);
  }

  @Post('refresh')
  @HttpCode(200)
  @Public()
  @UseGuards(RateLimitGuard)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair', description: 'The presented refresh token stops working; presenting it again revokes the session.' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiInvalidInput()
  @ApiProblem(401, 'Refresh token invalid, used, revoked or expired.')
  @ApiRateLimited()
  refresh(@Body() dto: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated({ permission: Permission.SelfUpdate })
  @ApiOperation({ summary: 'End this session', description: 'The access token and refresh token of this session fail from now on.' })
  @ApiNoContentResponse()
  logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    return this.auth.logout(principal);
  }

  @Get('me')
  @Authenticated({ permission: Permission.SelfRead })
  @ApiOperation({
    summary: 'Who am I',
    description: 'The caller as the access token describes it, with what a client shows first: the name, the organisation, and the tables you sit at with your role.',
  })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentPrincipal() p: Principal): Promise<MeDto> {
    return this.auth.me(p);
  }

  @Post('change-password')
  @HttpCode(204)
  @Authenticated({ permission: Permission.SelfUpdate })
  @UseGuards(RateLimitGuard)
  @ApiOperation({ summary: 'Change my password', description: 'Every session of the user is revoked; log in again with the new password.' })
  @ApiNoContentResponse()
  @ApiInvalidInput()
  @ApiRateLimited()
  changePassword(@CurrentPrincipal() principal: Principal, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(principal, dto.currentPassword, dto.newPassword);
  }

  @Post('accept-invitation')
  @HttpCode(204)
  @Public()
  @UseGuards(RateLimitGuard)
  @ApiOperation({ summary: 'Set a first password with an invite token' })
  @ApiNoContentResponse()
  @ApiInvalidInput()
  @ApiRateLimited()
  acceptInvitation(@Body() dto: AcceptInvitationDto): Promise<void> {
    return this.auth.acceptInvitation(dto.inviteToken, dto.password);
  }
}
