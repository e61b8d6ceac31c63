import { Module } from '@nestjs/common';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';

/** The in-app inbox (HTTP processes); notifications are written by NotificationService. */
@Module({ controllers: [InboxController], providers: [InboxService] })
export class InboxModule {}
