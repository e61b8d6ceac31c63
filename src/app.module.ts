import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { ClockModule } from './common/clock';
import { RedisModule } from './common/redis';
import { DatabaseControlModule } from './db/database-control';
import { appPoolOptions, dataSourceOptions } from './db/data-source-options';
import { ENTITIES } from './db/entities';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './health/metrics';
import { QueueDashboardModule } from './health/queue-dashboard.controller';
import { JobsModule } from './jobs/jobs.module';
import { loggerOptions } from './common/logging';
import { OrganisationModule } from './organisations/organisation.module';
import { UserModule } from './users/user.module';
import { CasesModule } from './cases/cases.module';
import { IncidentsModule } from './cases/incidents.module';
import { LogsModule } from './sharing/logs.module';
import { SharingModule } from './sharing/sharing.module';
import { TablesModule } from './tables/tables.module';
import { ContactCardsModule } from './contact-cards/contact-cards.module';
import { ActionsModule } from './actions/actions.module';
import { AgendaModule } from './meetings/agenda/agenda.module';
import { CalendarModule } from './meetings/calendar/calendar.module';
import { EscalationsModule } from './escalations/escalations.module';
import { MeetingsModule } from './meetings/meetings.module';
import { MinutesModule } from './meetings/minutes/minutes.module';
import { SessionModule } from './meetings/session/session.module';
import { NotificationsModule } from './notifications/notifications.module';
import { InboxModule } from './notifications/inbox.module';
import { WorklistModule } from './worklist/worklist.module';
import { RemindersModule } from './reminders/reminders.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { PrivacyModule } from './privacy/privacy.module';
import { StatisticsModule } from './statistics/statistics.module';

export type ProcessRole = 'api' | 'worker' | 'all';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, role: ProcessRole = 'all'): DynamicModule {
    const http = role !== 'worker';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.DATABASE_URL, { entities: ENTITIES }),
          extra: appPoolOptions(config, `ketentafel-${role}`),
        }),
        DatabaseControlModule,
        ClockModule,
        RedisModule,
        SharingModule,
        NotificationsModule,
        JobsModule.forRoot({ worker: role !== 'api' }),
        ...(http
          ? [
              AuthModule, OrganisationModule, UserModule, TablesModule, CasesModule, IncidentsModule, LogsModule,
              MeetingsModule, AgendaModule, SessionModule, MinutesModule, CalendarModule, ActionsModule, EscalationsModule, HealthModule, MetricsModule,
              InboxModule, WorklistModule, RemindersModule, QueueDashboardModule, WebhooksModule, PrivacyModule, ContactCardsModule, StatisticsModule,
            ]
          : []),
      ],
    };
  }
}
