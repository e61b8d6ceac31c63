/** Every queue and job name in one place; each queue has exactly one processor. */
export enum QueueName {
  Maintenance = 'maintenance',
  /** Sealing of the processing and audit logs (hash chain). */
  Audit = 'audit',
  /** Verification of the logs' hash chains: a queue of its own, so that a long full run never delays sealing. */
  Verification = 'verification',
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

export const QUEUES = Object.values(QueueName);
