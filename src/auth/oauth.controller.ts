import { Body, Controller, Headers, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimitGuard } from './rate-limit.guard';
import { ApiInvalidInput, ApiProblem, ApiRateLimited } from '../common/api-docs';
import { textDefect } from '../common/http-hardening';
import { DomainException } from '../common/problem';
import { ClientCredentialsDto, ClientTokenDto } from './auth.dto';
import { ApiClientService } from './api-client.service';
import { Public } from './authenticated.decorator';
import { AuthError } from './auth.errors';

function basicCredentials(header?: string): [string, string] | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 2.3.1: both parts are form-urlencoded. Malformed encoding, NUL or non-Unicode text is a client
  // that cannot authenticate, not a server error.
  try {
    const parts: [string, string] = [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))];
    return parts.some((p) => textDefect(p)) ? INVALID : parts;
  } catch {
    return INVALID;
  }
}

/** Credentials that can match no client (the lookup then answers invalid_client as for any wrong secret). */
const INVALID: [string, string] = ['', ''];

@ApiTags('auth')
@Controller('oauth')
export class OAuthController {
  constructor(private readonly clients: ApiClientService) {}

  @Post('token')
  @HttpCode(200)
  @Public()
  @UseGuards(RateLimitGuard)
  @ApiOperation({
    summary: 'OAuth2 client-credentials token for partner systems',
    description: 'RFC 6749 section 4.4. Authenticate with HTTP Basic or client_id/client_secret in the body. Errors are problem+json with the RFC\'s `error` member.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  // Optional: the credentials may come in the body instead (without this, the document calls the header required).
  @ApiHeader({ name: 'authorization', required: false, description: 'HTTP Basic client credentials, or send client_id and client_secret in the body.' })
  @ApiOkResponse({ type: ClientTokenDto })
  @ApiInvalidInput()
  @ApiProblem(401, 'Client authentication failed (`error: invalid_client`).')
  @ApiRateLimited()
  token(@Body() dto: ClientCredentialsDto, @Headers('authorization') authorization?: string): Promise<ClientTokenDto> {
    const [clientId, secret] = basicCredentials(authorization) ?? [dto.client_id, dto.client_secret];
    if (!clientId || !secret) {
      throw new DomainException(HttpStatus.UNAUTHORIZED, AuthError.InvalidClient, 'Client credentials are missing.', { error: 'invalid_client' });
    }
    return this.clients.issueToken(clientId, secret, dto.scope);
  }
}
