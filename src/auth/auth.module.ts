import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { AccessGuard } from './access.guard';
import { ApiClientController } from './api-client.controller';
import { ApiClientService } from './api-client.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { LoginLimiterService } from './login-limiter.service';
import { ClientAssertionService } from './client-assertion.service';
import { OAuthController } from './oauth.controller';
import { OAuthMetadataController } from './oauth-metadata.controller';
import { RateLimitModule, RateLimitStore } from './rate-limit-store';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { RevocationService } from './revocation.service';
import { TokenService } from './token.service';

@Module({
  imports: [
    PassportModule,
    JwtModule.register({}),
    // Applied per route (login, refresh, token, password), not globally: see README "Performance".
    ThrottlerModule.forRootAsync({
      imports: [RateLimitModule],
      inject: [AppConfig, RateLimitStore],
      useFactory: (config: AppConfig, store: RateLimitStore) => ({
        throttlers: [{ name: 'auth', ttl: 60_000, limit: config.AUTH_RATE_LIMIT_PER_MINUTE }],
        // No `Retry-After-auth` or `X-RateLimit-*-auth`: RateLimitGuard answers a refusal with the standard Retry-After.
        setHeaders: false,
        storage: new RedisThrottlerStorage(store),
      }),
    }),
    RateLimitModule,
  ],
  controllers: [AuthController, OAuthController, OAuthMetadataController, ApiClientController],
  providers: [
    TokenService,
    RevocationService,
    JwtStrategy,
    LoginLimiterService,
    AuthService,
    ApiClientService,
    ClientAssertionService,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [TokenService, RevocationService],
})
export class AuthModule {}
