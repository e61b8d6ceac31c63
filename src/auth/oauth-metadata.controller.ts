import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { setOwnResponseHeaders } from '../common/http-hardening';
import { AppConfig } from '../config/app-config';
import { Public } from './authenticated.decorator';
import { oauthUrls } from './client-assertion.service';
import { ASSERTION_ALGORITHMS } from './client-keys';
import { ApiScope } from './permissions';

export const OAUTH_METADATA_PATH = '.well-known/oauth-authorization-server';

/** RFC 8414 authorization server metadata: what an OAuth2 library reads to configure itself. */
export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported: string[];
  grant_types_supported: string[];
  scopes_supported: string[];
  response_types_supported: string[];
  service_documentation: string;
}

/**
 * Served at the root, outside `/api/v1` (RFC 8414 section 3: the well-known path of an issuer without a path
 * component), so it is not in the OpenAPI document, whose server is `/api/v1`. The issuer is PUBLIC_BASE_URL.
 */
@ApiExcludeController()
@Controller(OAUTH_METADATA_PATH)
export class OAuthMetadataController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @Public()
  metadata(@Res({ passthrough: true }) reply: FastifyReply): AuthorizationServerMetadata {
    setOwnResponseHeaders(reply, { 'Cache-Control': 'public, max-age=3600' });
    const { issuer, tokenEndpoint } = oauthUrls(this.config);
    return {
      issuer,
      token_endpoint: tokenEndpoint,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
      grant_types_supported: ['client_credentials'],
      scopes_supported: Object.values(ApiScope),
      // Required by RFC 8414, and empty: there is no authorization endpoint, so no response type is supported.
      response_types_supported: [],
      service_documentation: `${issuer}/api/v1/docs`,
    };
  }
}
