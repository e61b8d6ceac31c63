import { Body, Controller, Headers, HttpCode, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiRateLimited } from '../common/api-docs';
import { RateLimitGuard } from './rate-limit.guard';
import { textDefect } from '../common/http-hardening';
import { ApiClientService, TokenClient } from './api-client.service';
import { ClientCredentialsDto, ClientTokenDto, OAuthErrorDto } from './auth.dto';
import { AuthError } from './auth.errors';
import { Public } from './authenticated.decorator';
import { ClientAssertionService, JWT_BEARER_ASSERTION_TYPE } from './client-assertion.service';
import { invalidClient, invalidRequest, OAuthError, OAuthErrorFilter, TOKEN_ERROR_TYPES } from './oauth-errors';

/** What a token request may carry, and how long each value may be. Other parameters are ignored (RFC 6749 section 3.2). */
const PARAMETERS = {
  grant_type: 100,
  client_id: 100,
  client_secret: 200,
  client_assertion_type: 200,
  client_assertion: 8000,
  scope: 500,
} as const;
type TokenRequest = Partial<Record<keyof typeof PARAMETERS, string>>;

/**
 * The form as RFC 6749 reads it: empty values count as absent, a repeated parameter is invalid_request,
 * unknown parameters are ignored. Read by hand rather than by the global ValidationPipe, whose refusal of
 * unknown fields and generic 400 are what the RFC forbids here.
 */
function tokenRequest(body: unknown): TokenRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('Send the parameters form-encoded (application/x-www-form-urlencoded).');
  const out: TokenRequest = {};
  for (const [name, max] of Object.entries(PARAMETERS) as [keyof typeof PARAMETERS, number][]) {
    const value = (body as Record<string, unknown>)[name];
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) throw invalidRequest(`The parameter ${name} is repeated.`);
    if (typeof value !== 'string') throw invalidRequest(`The parameter ${name} must be a string.`);
    if (value.length > max) throw invalidRequest(`The parameter ${name} is longer than ${max} characters.`);
    const defect = textDefect(value);
    if (defect) throw invalidRequest(`The parameter ${name} ${defect}.`);
    out[name] = value;
  }
  if (!out.grant_type) throw invalidRequest('The parameter grant_type is missing.');
  if (out.grant_type !== 'client_credentials') {
    throw new OAuthError(400, 'unsupported_grant_type', AuthError.UnsupportedGrantType, 'Only grant_type client_credentials is supported.');
  }
  return out;
}

/** HTTP Basic client credentials; undefined when the header is not Basic, invalid_client when it is but is broken. */
function basicCredentials(header?: string): [string, string] | undefined {
  if (!/^Basic(\s|$)/i.test(header ?? '')) return undefined;
  const broken = () => invalidClient('The HTTP Basic credentials are malformed.');
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header!);
  if (!match) throw broken();
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw broken();
  // RFC 6749 2.3.1: both parts are form-urlencoded. Malformed encoding, NUL or non-Unicode text is a client
  // that cannot authenticate, not a server error.
  let parts: [string, string];
  try {
    parts = [decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '))];
  } catch {
    throw broken();
  }
  if (parts.some((p) => !p || textDefect(p))) throw broken();
  return parts;
}

@ApiTags('auth')
@Controller('oauth')
export class OAuthController {
  constructor(
    private readonly clients: ApiClientService,
    private readonly assertions: ClientAssertionService,
  ) {}

  @Post('token')
  @HttpCode(200)
  @Public()
  @UseGuards(RateLimitGuard)
  @UseFilters(OAuthErrorFilter)
  @ApiOperation({
    summary: 'OAuth2 client-credentials token for partner systems',
    description:
      'RFC 6749 section 4.4. The client authenticates in one of three ways: HTTP Basic (`client_secret_basic`), `client_id` and ' +
      '`client_secret` in the form (`client_secret_post`), or a signed JWT (`private_key_jwt`, RFC 7523: `client_assertion_type=' +
      `${JWT_BEARER_ASSERTION_TYPE}\` and \`client_assertion\`, signed RS256, PS256 or ES256 with a registered key, \`iss\` and \`sub\` the ` +
      'client_id, `aud` the token endpoint URL or the issuer, `exp` at most 5 minutes ahead, a `jti` used once). ' +
      'Errors are RFC 6749 section 5.2 (`error`, `error_description`) with the problem members (`type`, `title`, `status`, `detail`, `code`) ' +
      'in the same object, served as `application/json`, or as `application/problem+json` when Accept prefers it. Every 401 carries ' +
      '`WWW-Authenticate: Basic realm="ketentafel"`. Unknown parameters are ignored. Server metadata: `/.well-known/oauth-authorization-server`.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: ClientCredentialsDto })
  // Optional: the credentials may come in the body instead (without this, the document calls the header required).
  @ApiHeader({ name: 'authorization', required: false, description: 'HTTP Basic client credentials, or send them in the body (secret or client assertion).' })
  @ApiOkResponse({ type: ClientTokenDto })
  @ApiExtraModels(OAuthErrorDto)
  @ApiResponse({
    status: 400,
    description: '`invalid_request` (a parameter missing, repeated or malformed; more than one authentication method), `unsupported_grant_type`, `invalid_scope`.',
    content: Object.fromEntries(TOKEN_ERROR_TYPES.map((t) => [t, { schema: { $ref: getSchemaPath(OAuthErrorDto) } }])),
  })
  @ApiResponse({
    status: 401,
    description: '`invalid_client`: client authentication failed (unknown client, wrong secret, invalid assertion, or a method the client is not registered for).',
    headers: { 'WWW-Authenticate': { description: 'Basic realm="ketentafel", charset="UTF-8"', schema: { type: 'string' } } },
    content: Object.fromEntries(TOKEN_ERROR_TYPES.map((t) => [t, { schema: { $ref: getSchemaPath(OAuthErrorDto) } }])),
  })
  @ApiRateLimited()
  async token(@Body() body: Record<string, unknown>, @Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<ClientTokenDto> {
    const form = tokenRequest(body);
    const client = await this.authenticate(form, authorization);
    reply.header('Pragma', 'no-cache');
    return this.clients.issueToken(client, form.scope);
  }

  /** RFC 6749 section 2.3: exactly one client authentication method per request. */
  private authenticate(form: TokenRequest, authorization?: string): Promise<TokenClient> {
    const basic = basicCredentials(authorization);
    const assertion = form.client_assertion !== undefined || form.client_assertion_type !== undefined;
    const methods = [basic, form.client_secret, assertion || undefined].filter((m) => m !== undefined);
    if (methods.length > 1) throw invalidRequest('Use one client authentication method: HTTP Basic, client_secret, or client_assertion.');
    if (basic) {
      if (form.client_id !== undefined && form.client_id !== basic[0]) throw invalidRequest('The client_id differs from the HTTP Basic user name.');
      return this.clients.authenticateWithSecret(basic[0], basic[1]);
    }
    if (assertion) {
      if (form.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE) throw invalidRequest(`The parameter client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}.`);
      if (!form.client_assertion) throw invalidRequest('The parameter client_assertion is missing.');
      return this.assertions.authenticate(form.client_assertion, form.client_id);
    }
    if (form.client_secret !== undefined) {
      if (!form.client_id) throw invalidRequest('The parameter client_id is missing.');
      return this.clients.authenticateWithSecret(form.client_id, form.client_secret);
    }
    throw invalidClient('Client authentication is missing: use HTTP Basic, client_secret or client_assertion.');
  }
}
