import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import type { NotificationChannel, RecordedNotice } from '../notifications/notification.service';

/** The Message-ID of a delivery: stable over every attempt, so that a message sent twice is recognisably one. */
export const mailMessageId = (deliveryId: string, publicBaseUrl: string) => `<${deliveryId}@${new URL(publicBaseUrl).hostname}>`;

/**
 * E-mail as a notification channel: records one `email_delivery` per new notification in notify()'s
 * transaction (unique on the notification, so a rerun records nothing twice). The worker's MailDispatcher
 * sends them from PostgreSQL; nothing here touches SMTP or Redis.
 *
 * After a transaction that recorded e-mails commits, the listeners are told (the dispatcher of this process,
 * in worker processes), so the e-mail goes at once instead of at the next scheduled run. That costs nothing
 * outside this process; the schedule sends everything without it.
 */
@Injectable()
export class MailChannel implements NotificationChannel, EntitySubscriberInterface, OnModuleInit {
  readonly name = 'mail';
  private readonly recorded = new WeakSet<QueryRunner>();
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  async record(m: EntityManager, notices: RecordedNotice[]): Promise<void> {
    const written = notices.flatMap((n) => n.written);
    if (!written.length) return;
    const ids = written.map(() => randomUUID());
    await m.query(
      `INSERT INTO email_delivery (id, notification_id, message_id, next_attempt_at, created_at)
       SELECT d.id, d.notification_id, d.message_id, $4, $4
         FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS d(id, notification_id, message_id)
       ON CONFLICT ON CONSTRAINT email_delivery_notification_key DO NOTHING`,
      [ids, written.map((w) => w.id), ids.map((id) => mailMessageId(id, this.config.PUBLIC_BASE_URL)), this.clock.now()],
    );
    if (m.queryRunner) this.recorded.add(m.queryRunner);
  }

  /** Called once after each commit of a transaction that recorded e-mails (never for a rollback). */
  onCommitted(listener: () => void): void {
    this.listeners.push(listener);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A released savepoint broadcasts too; only the outermost commit makes the rows visible.
    if (event.queryRunner.isTransactionActive || !this.recorded.delete(event.queryRunner)) return;
    for (const listener of this.listeners) listener();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.recorded.delete(event.queryRunner);
  }
}
