/** Every queue and job name in one place; each queue has exactly one processor. */
export enum QueueName {
  Maintenance = 'maintenance',
  /** Sealing of the processing and audit logs (hash chain). */
  Audit = 'audit',
  /** Verification of the logs' hash chains: a queue of its own, so that a long full run never delays sealing. */
  Verification = 'verification',
  /** The outbox relay and its sweep: a queue of its own, so that a backlog of deliveries never delays relaying. */
  Outbox = 'outbox',
  /** One job per relayed domain event: its notifications, keyed by (recipient, cause) in the database. */
  Notifications = 'notifications',
  /** The reminders sweep and one job per entity and occasion (a reminder, notice or alert; a scheduled draft agenda). */
  Reminders = 'reminders',
  /** E-mail: sends the recorded `email_delivery` rows over SMTP (src/mail). */
  Mail = 'mail',
  /** Signed webhook deliveries to partner systems, claimed from PostgreSQL by a scheduled dispatcher. */
  Webhooks = 'webhooks',
  /** The nightly retention sweep and one erasure job per case past its table's retention period (src/privacy). */
  Retention = 'retention',
}

export enum MaintenanceJob {
  PurgeExpiredSessions = 'purge-expired-sessions',
  /** Nightly sweep: enqueues one GenerateMeetingsForTable per active table. */
  GenerateMeetings = 'generate-meetings',
  GenerateMeetingsForTable = 'generate-meetings-for-table',
}

export enum AuditJob {
  SealLogs = 'seal-logs',
}

export enum VerificationJob {
  /** Data `{ full?: boolean }`: from the last verified seal, or (full) from seq 1. */
  VerifyLogs = 'verify-logs',
}

export enum OutboxJob {
  /** Moves unrelayed domain events to the notifications queue (also run on NOTIFY from the outbox). */
  Relay = 'relay-outbox',
  /** Relays again what was relayed long ago and is still not delivered (a Redis that lost its data). */
  Sweep = 'sweep-outbox',
}

export enum NotificationJob {
  /** Data `{ eventId: string }`: the notifications of one domain event. */
  DeliverEvent = 'deliver-event',
}

export enum ReminderJob {
  /** Finds every occasion due today and enqueues them in SendNotices batches, and one DraftAgenda job per meeting. */
  Sweep = 'sweep-reminders',
  /** Data `{ occasion, entityId, date }`: one reminder, notice or alert of one action or escalation. */
  SendNotice = 'send-notice',
  /**
   * Data `{ occasion, items: { entityId, date }[] }`: the same for a batch of entities of one occasion, in one
   * transaction; if it fails, it is split into one SendNotice job per entity, each retried on its own.
   */
  SendNotices = 'send-notices',
  /** Data `{ meetingId }`: the scheduled draft agenda of one meeting, and the notice to its chair. */
  DraftAgenda = 'draft-agenda',
}

export enum MailJob {
  /** Sends the due e-mail deliveries, claimed with a lease in PostgreSQL (also run at once when notifications commit). */
  Dispatch = 'dispatch-mail',
}

export enum WebhookJob {
  /** Sends the webhook deliveries that are due (claimed with SKIP LOCKED and a lease, so any number of workers may run it). */
  Dispatch = 'dispatch-webhooks',
}

export enum RetentionJob {
  /** Finds the closed cases past their table's retention period and enqueues one EraseCase each. */
  Sweep = 'retention-sweep',
  /** Data `{ caseId }`: erases the case's personal data if it is still due (no hold, not restricted, not erased). */
  EraseCase = 'erase-case',
}

export const QUEUES = Object.values(QueueName);
