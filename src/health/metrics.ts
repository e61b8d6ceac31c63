import { Controller, Get, Header, Headers, HttpStatus, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { version } from '../../package.json';
import { Public } from '../auth/authenticated.decorator';
import { AppConfig, urlHost } from '../config/app-config';
import { DomainException, PROBLEM_CONTENT_TYPE, problemType, statusTitle } from '../common/problem';
import { OperationsError } from './operations.errors';
import { OutboxLagModule } from './outbox-lag';
import { OperationsGauges } from './operations-gauges';

/**
 * One registry per application instance: request latency by route template, process metrics, and the
 * queue and outbox gauges that OperationsGauges reads afresh on every scrape.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** Labelled by route template (never the raw URL, which could hold ids). */
  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(private readonly gauges: OperationsGauges) {
    collectDefaultMetrics({ register: this.registry });
    gauges.register(this.registry);
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** The exposition text, after reading the queues and the outbox (each bounded; a failure is a gauge, not an error). */
  async scrape(): Promise<string> {
    await this.gauges.refresh();
    return this.registry.metrics();
  }
}

const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Compared as SHA-256 digests, so that the comparison takes the same time whatever the length or content sent. */
const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether an Authorization header carries `Bearer <token>`, compared in constant time. */
export function bearerMatches(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return false;
  const sent = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  return sent !== undefined && timingSafeEqual(digest(sent), digest(token));
}

/**
 * `GET /metrics` on the API's port, for a Prometheus that scrapes with `authorization: { credentials: <METRICS_TOKEN> }`.
 * It is not public: queue depths, route latencies and process facts tell an outsider more than they should.
 * Without METRICS_TOKEN it answers 401 to everyone; METRICS_PORT serves the same text on a listener of its own.
 */
@Controller('metrics')
@ApiExcludeController()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  @Header('Content-Type', METRICS_CONTENT_TYPE)
  scrape(@Headers('authorization') authorization?: string): Promise<string> {
    if (!bearerMatches(authorization, this.config.METRICS_TOKEN)) {
      throw new DomainException(
        HttpStatus.UNAUTHORIZED,
        OperationsError.MetricsTokenRequired,
        this.config.METRICS_TOKEN
          ? 'Send the metrics token (METRICS_TOKEN) as a bearer token.'
          : 'Metrics are not served on this port without a token: set METRICS_TOKEN, or METRICS_PORT for a listener of their own.',
      );
    }
    return this.metrics.scrape();
  }
}

/**
 * The separate metrics listener (METRICS_PORT on METRICS_HOST, loopback by default): only `GET /metrics`, without
 * a token, for a Prometheus agent that reaches that interface only. A plain node:http server, not a second Nest
 * application: it serves one fixed text and must not carry the API's routes, guards or rate limits.
 */
@Injectable()
export class MetricsListener implements OnApplicationShutdown {
  private server?: Server;

  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  /** Starts listening; the URL to scrape. */
  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      res.setHeader('API-Version', version);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
        const status = path === '/metrics' ? 405 : 404;
        if (status === 405) res.setHeader('Allow', 'GET, HEAD');
        res.writeHead(status, { 'Content-Type': PROBLEM_CONTENT_TYPE });
        res.end(JSON.stringify({ type: problemType(status), title: statusTitle(status), status, code: status === 405 ? 'method_not_allowed' : 'not_found' }));
        return;
      }
      this.metrics.scrape().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        () => {
          res.writeHead(503, { 'Content-Type': PROBLEM_CONTENT_TYPE });
          res.end(JSON.stringify({ type: problemType(503), title: statusTitle(503), status: 503, code: 'service_unavailable' }));
        },
      );
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(this.config.METRICS_PORT ?? 0, this.config.METRICS_HOST, () => ok());
    });
    this.server = server;
    return `http://${urlHost(this.config.METRICS_HOST)}:${(server.address() as AddressInfo).port}/metrics`;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
}

@Module({ imports: [OutboxLagModule], controllers: [MetricsController], providers: [MetricsService, OperationsGauges, MetricsListener], exports: [MetricsService, MetricsListener] })
export class MetricsModule {}
