/** Every queue and job name in one place; each queue has exactly one processor. */
export enum QueueName {
  Maintenance = 'maintenance',
  /** Sealing of the processing and audit logs (hash chain). */
  Audit = 'audit',
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

export const QUEUES = Object.values(QueueName);
