import { Controller, Get, HttpStatus, Optional, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { Public } from '../auth/authenticated.decorator';
import { ApiProblem } from '../common/api-docs';
import { DomainException } from '../common/problem';
import { InjectRedis } from '../common/redis';
import { CommonError } from '../common/problem';
import { DatabaseControl } from '../db/database-control';
import { AppConfig } from '../config/app-config';
import { SchedulerService } from '../jobs/scheduler.service';
import { OutboxLagProbe } from './outbox-lag';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseControl,
    private readonly indicators: HealthIndicatorService,
    @InjectRedis() private readonly redis: Redis,
    private readonly outbox: OutboxLagProbe,
    private readonly config: AppConfig,
    // Only in processes that run the worker.
    @Optional() private readonly schedulers?: SchedulerService,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process runs' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary: 'Readiness: PostgreSQL and Redis answer, Redis keeps queue data (maxmemory-policy noeviction), and the outbox is relayed',
    description: 'Not ready while the oldest domain event not yet relayed to the queue is older than OUTBOX_LAG_READY_SECONDS (checks.outbox; 0 turns the check off).',
  })
  @ApiOkResponse({
    schema: { example: { status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up', maxmemoryPolicy: 'noeviction' }, outbox: { status: 'up', oldestUnrelayedAgeSeconds: 0 } } } },
  })
  @ApiProblem(503, 'A dependency is down or misconfigured; `checks` says which.')
  async ready() {
    try {
      return await this.health.check([
        // On a connection of its own: a pool full of slow requests is not a database that is down.
        () => this.indicators.check('database').attempt(() => this.db.ping()).withTimeout(1500),
        () =>
          this.indicators
            .check('redis')
            .attempt(async () => {
              await this.redis.ping();
              const [, policy] = (await this.redis.config('GET', 'maxmemory-policy')) as [string, string];
              // BullMQ loses jobs if Redis may evict keys.
              if (policy !== 'noeviction') throw new Error(`maxmemory-policy is ${policy}; BullMQ needs noeviction`);
              return { maxmemoryPolicy: policy };
            })
            .withTimeout(1500),
        ...(this.config.OUTBOX_LAG_READY_SECONDS > 0 ? [() => this.outboxCheck(this.config.OUTBOX_LAG_READY_SECONDS)] : []),
        ...(this.schedulers ? [() => this.schedulersCheck(this.schedulers!)] : []),
      ]);
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      const body = e.getResponse() as { details?: Record<string, { status: string; message?: string }> };
      const down = Object.entries(body.details ?? {})
        .filter(([, v]) => v.status === 'down')
        .map(([k]) => k);
      throw new DomainException(HttpStatus.SERVICE_UNAVAILABLE, CommonError.NotReady, `Not ready: ${down.join(', ') || 'unknown'} is down.`, {
        checks: body.details,
      });
    }
  }

  /**
   * Events that nobody relays (no worker runs, or every relay fails) mean notifications that never arrive,
   * while every request still answers 2xx: that is not ready. Read on a connection of its own, bounded.
   */
  private async outboxCheck(limitSeconds: number) {
    const check = this.indicators.check('outbox');
    let age: number;
    try {
      age = Math.round((await this.outbox.read()).oldestUnrelayedAgeSeconds);
    } catch {
      // Unknown is not late: the database check speaks for a PostgreSQL that is down.
      return check.degraded({ message: 'the outbox could not be read' });
    }
    if (age > limitSeconds) {
      return check.down({ message: `the oldest unrelayed domain event is ${age} s old (limit ${limitSeconds} s): is a worker running?`, oldestUnrelayedAgeSeconds: age });
    }
    return check.up({ oldestUnrelayedAgeSeconds: age });
  }

  /** A scheduler lost with Redis's data stops its job silently: report it, and have it re-created at once. */
  private schedulersCheck(schedulers: SchedulerService) {
    return this.indicators
      .check('schedulers')
      .attempt(async () => {
        const missing = await schedulers.missing();
        if (missing.length) {
          void schedulers.ensure('readiness check');
          throw new Error(`job schedulers missing in Redis: ${missing.join(', ')}`);
        }
        return {};
      })
      .withTimeout(1500);
  }
}
