import { INestApplicationContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { version } from '../package.json';
import { AppModule, ProcessRole } from './app.module';
import { AppConfig } from './config/app-config';
import { fastifyHardeningOptions, installHttpHardening, ownResponseHeaders, RouteTable, SECURITY_HEADERS } from './common/http-hardening';
import { AppLogger, outgoingTraceparent, requestId } from './common/logging';
import { installPageLinks } from './common/pagination';
import { ProblemFilter } from './common/problem.filter';
import { createValidationPipe } from './common/validation';
import { DatabaseControl } from './db/database-control';
import { installQueryScopes } from './db/query-scope';
import { MetricsService } from './health/metrics';
import { installQueueDashboard, QUEUE_DASHBOARD_CSP } from './health/queue-dashboard';
import { QUEUE_DASHBOARD_PATH } from './health/queue-dashboard-session';
import { buildOpenApiDocument, docsContentSecurityPolicy, swaggerUiOptions } from './openapi';

export const API_VERSION = version;
export const API_PREFIX = 'api/v1';
const OPENAPI_PATH = `/${API_PREFIX}/openapi.json`;
const DOCS_PATH = `/${API_PREFIX}/docs`;

/** Builds the HTTP application exactly as production runs it; tests use the same function. */
export async function createHttpApp(config: AppConfig, role: Exclude<ProcessRole, 'worker'> = 'all'): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: (req: IncomingMessage) => requestId(req),
    trustProxy: config.TRUST_PROXY,
    ...fastifyHardeningOptions,
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 200 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, role), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(appLogger(app));
  app.flushLogs();
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready', 'metrics', '.well-known/oauth-authorization-server'] });
  app.useGlobalPipes(createValidationPipe());
  const routes = new RouteTable();
  app.useGlobalFilters(new ProblemFilter(routes));

  const allowed = new Set(config.CORS_ORIGINS);
  app.enableCors({
    delegator: (req, cb) => {
      const isSpec = (req.url ?? '').split('?')[0] === OPENAPI_PATH;
      cb(null, {
        origin: isSpec ? '*' : (origin: string | undefined, done: (e: Error | null, allow: boolean) => void) => done(null, !!origin && allowed.has(origin)),
        methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'traceparent', 'If-Match', 'If-None-Match'],
        exposedHeaders: ['API-Version', 'X-Request-Id', 'traceparent', 'Retry-After', 'Location', 'Allow', 'Link', 'ETag'],
        maxAge: 600,
      });
    },
  });

  const fastify = app.getHttpAdapter().getInstance();
  // Only JSON (and form-encoded for the OAuth2 token endpoint) is accepted; anything else is 415.
  fastify.removeContentTypeParser('text/plain');
  installHttpHardening(app, routes);
  installQueueDashboard(app);
  const control = app.get(DatabaseControl);
  installQueryScopes(fastify, (pid) => control.cancelBackend(pid));
  installPageLinks(fastify);
  const docsCsp = docsContentSecurityPolicy(config);
  fastify.addHook('onSend', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('X-Request-Id', request.id);
    const traceparent = outgoingTraceparent(String(request.id));
    if (traceparent) reply.header('traceparent', traceparent);
    const path = request.url.split('?')[0];
    reply.header(
      'Content-Security-Policy',
      path.startsWith(DOCS_PATH) ? docsCsp : isUnder(path, QUEUE_DASHBOARD_PATH) ? QUEUE_DASHBOARD_CSP : "default-src 'none'; frame-ancestors 'none'",
    );
    const own = ownResponseHeaders(reply);
    if (own) reply.headers(own);
  });
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  SwaggerModule.setup(`${API_PREFIX}/docs`, app, buildOpenApiDocument(app, documentConfig(config)), swaggerUiOptions());
  return app;
}

/** The application's Nest logger (see AppLogger), around the one that LoggerModule provides. */
const appLogger = (app: INestApplicationContext) => new AppLogger(app.get(Logger));

/**
 * PORT=0 without PUBLIC_BASE_URL: the port is not known while the document is built, so its URLs are relative to
 * the document itself (`servers` is `/api/v1`); main.ts fills in PUBLIC_BASE_URL for links once it listens.
 */
const documentConfig = (config: AppConfig): AppConfig =>
  config.publicBaseUrlFollowsPort && config.PORT === 0 ? Object.assign(Object.create(config) as AppConfig, { PUBLIC_BASE_URL: '' }) : config;

const isUnder = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

/** Signals are handled by the caller (main.ts, `exitOnSignals`): a bounded shutdown, not Nest's unbounded hooks. */
export async function createWorkerContext(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, 'worker'), { bufferLogs: true, abortOnError: false });
  app.useLogger(appLogger(app));
  app.flushLogs();
  return app;
}
