import { Controller, Get, Header, Injectable, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { Public } from '../auth/authenticated.decorator';
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

@Controller('metrics')
@ApiExcludeController()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}

@Module({ imports: [OutboxLagModule], controllers: [MetricsController], providers: [MetricsService, OperationsGauges], exports: [MetricsService] })
export class MetricsModule {}
