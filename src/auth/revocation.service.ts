import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client, Notification } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { SessionRevokedReason } from './session.entity';

const CHANNEL = 'kt_token_revocation';

interface RevocationMessage {
  kind: 'session' | 'client';
  ids: string[];
  at: number;
}

/**
 * Makes revoked access tokens fail at once without a database read per request.
 * Revocations are written in the database and broadcast with NOTIFY (delivered on commit); every API
 * process keeps the revocations of the last access-token lifetime in memory, reloads them from the
 * database whenever its LISTEN connection (re)connects, and so never misses one.
 */
@Injectable()
export class RevocationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationService.name);
  private readonly revokedSessions = new Map<string, number>();
  private readonly clientNotBefore = new Map<string, number>();
  private listener?: Client;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
    this.pruneTimer = setInterval(() => this.prune(), 60_000).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pruneTimer);
    await this.listener?.end().catch(() => undefined);
  }

  isSessionRevoked(sessionId: string): boolean {
    return this.revokedSessions.has(sessionId);
  }

  isClientTokenRevoked(clientId: string, issuedAtMs: number): boolean {
    const notBefore = this.clientNotBefore.get(clientId);
    return notBefore !== undefined && issuedAtMs < notBefore;
  }

  /** Revokes sessions inside the caller's transaction; call `remember` with the result after commit. */
  async revokeSessions(
    manager: EntityManager,
    where: { sessionId: string } | { userId: string } | { organisationId: string },
    reason: SessionRevokedReason,
  ): Promise<RevocationMessage> {
    const [condition, value] =
      'sessionId' in where
        ? ['id = $1', where.sessionId]
        : 'userId' in where
          ? ['user_id = $1', where.userId]
          : ['user_id IN (SELECT id FROM app_user WHERE organisation_id = $1)', where.organisationId];
    // TypeORM returns [rows, affectedCount] for UPDATE ... RETURNING on PostgreSQL.
    const [rows]: [{ id: string }[], number] = await manager.query(
      `UPDATE auth_session SET revoked_at = now(), revoked_reason = $2
        WHERE ${condition} AND revoked_at IS NULL RETURNING id`,
      [value, reason],
    );
    const message: RevocationMessage = { kind: 'session', ids: rows.map((r) => r.id), at: Date.now() };
    if (message.ids.length) await manager.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(message)]);
    return message;
  }

  async revokeClientTokens(manager: EntityManager, where: { clientId: string } | { organisationId: string }): Promise<RevocationMessage> {
    const at = Date.now();
    const [condition, value] = 'clientId' in where ? ['id = $2', where.clientId] : ['organisation_id = $2', where.organisationId];
    const [rows]: [{ id: string }[], number] = await manager.query(
      `UPDATE api_client SET tokens_valid_after = to_timestamp($1 / 1000.0) WHERE ${condition} RETURNING id`,
      [at, value],
    );
    const message: RevocationMessage = { kind: 'client', ids: rows.map((r) => r.id), at };
    if (message.ids.length) await manager.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(message)]);
    return message;
  }

  /** Applies a revocation in this process right away (others learn it through NOTIFY). */
  remember(message: RevocationMessage): void {
    for (const id of message.ids) {
      if (message.kind === 'session') this.revokedSessions.set(id, message.at);
      else this.clientNotBefore.set(id, Math.max(message.at, this.clientNotBefore.get(id) ?? 0));
    }
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL });
    client.on('notification', (n: Notification) => this.onNotification(n));
    client.on('error', (err) => {
      this.logger.warn({ err: { message: err.message } }, 'revocation listener lost its connection; reconnecting');
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
    await this.reload();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.listener?.end().catch(() => undefined);
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = undefined;
      try {
        await this.connect();
      } catch {
        this.scheduleReconnect();
      }
    }, 1000);
  }

  private async reload(): Promise<void> {
    const ttl = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const sessions: { id: string; at: Date }[] = await this.dataSource.query(
      `SELECT id, revoked_at AS at FROM auth_session WHERE revoked_at > now() - make_interval(secs => $1)`,
      [ttl],
    );
    for (const s of sessions) this.revokedSessions.set(s.id, s.at.getTime());
    const clients: { id: string; at: Date }[] = await this.dataSource.query(
      `SELECT id, tokens_valid_after AS at FROM api_client WHERE tokens_valid_after > now() - make_interval(secs => $1)`,
      [ttl],
    );
    for (const c of clients) this.remember({ kind: 'client', ids: [c.id], at: c.at.getTime() });
  }

  private onNotification(n: Notification): void {
    if (n.channel !== CHANNEL || !n.payload) return;
    try {
      this.remember(JSON.parse(n.payload) as RevocationMessage);
    } catch {
      this.logger.warn('ignored a malformed revocation notification');
    }
  }

  /** An entry older than the access-token lifetime can no longer match a valid token. */
  private prune(): void {
    const horizon = Date.now() - (this.config.ACCESS_TOKEN_TTL_SECONDS + 60) * 1000;
    for (const [id, at] of this.revokedSessions) if (at < horizon) this.revokedSessions.delete(id);
    for (const [id, at] of this.clientNotBefore) if (at < horizon) this.clientNotBefore.delete(id);
  }
}
