/** Every queue and job name in one place; each queue has exactly one processor. */
export enum QueueName {
  Maintenance = 'maintenance',
}

export enum MaintenanceJob {
  PurgeExpiredSessions = 'purge-expired-sessions',
}

export const QUEUES = Object.values(QueueName);
