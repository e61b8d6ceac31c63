import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { OutboxLagModule } from './outbox-lag';

@Module({ imports: [TerminusModule, OutboxLagModule], controllers: [HealthController] })
export class HealthModule {}
