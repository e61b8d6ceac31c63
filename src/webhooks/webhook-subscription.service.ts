import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { notFound, ValidationProblem } from '../common/problem';
import { NotificationKind } from '../notifications/notification-kind';
import { WebhookSecrets } from './webhook-secrets';
import { CreateWebhookSubscriptionDto, ListWebhookSubscriptionsQuery, UpdateWebhookSubscriptionDto } from './webhook-subscription.dto';
import { WebhookSubscriptionView, WebhookSubscriptionWithSecretView } from './webhook-view';
import { Keyset, SortField } from '../common/list-query';
import { DEFAULT_PAGE_SIZE, Page, pageOf } from '../common/pagination';

const SUBSCRIPTION_ORDER: Record<string, SortField> = { createdAt: { column: 'created_at', kind: 'timestamp' } };

/** How long deliveries are signed with the previous secret too after a rotation, for the receiver to switch over. */
export const SECRET_OVERLAP_MS = 24 * 3600 * 1000;

interface SubscriptionRow {
  id: string;
  organisation_id: string;
  url: string;
  event_types: NotificationKind[];
  description: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  secret_rotated_at: Date | null;
  previous_secret_expires_at: Date | null;
}

const COLUMNS = `id, organisation_id, url, event_types, description, active, created_at, updated_at, secret_rotated_at, previous_secret_expires_at`;

const toView = (r: SubscriptionRow, now: Date): WebhookSubscriptionView => ({
  id: r.id,
  organisationId: r.organisation_id,
  url: r.url,
  eventTypes: r.event_types,
  description: r.description,
  active: r.active,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  secretRotatedAt: r.secret_rotated_at?.toISOString() ?? null,
  previousSecretValidUntil: r.previous_secret_expires_at && r.previous_secret_expires_at > now ? r.previous_secret_expires_at.toISOString() : null,
});

/**
 * Webhook subscriptions: administrators manage any organisation's, a partner system (scope
 * `webhooks:manage`) its own organisation's only; another organisation's is not found, alike for both
 * "does not exist" and "not yours". The route's permission already let only these two through.
 */
@Injectable()
export class WebhookSubscriptionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: WebhookSecrets,
    private readonly clock: Clock,
  ) {}

  async create(p: Principal, dto: CreateWebhookSubscriptionDto): Promise<WebhookSubscriptionWithSecretView> {
    const organisationId = await this.organisationFor(p, dto.organisationId);
    const id = randomUUID();
    const secret = this.secrets.generate();
    const now = this.clock.now();
    const [row]: SubscriptionRow[] = await this.dataSource.query(
      `INSERT INTO webhook_subscription (id, organisation_id, url, event_types, description, active, secret_ciphertext, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ${COLUMNS}`,
      [id, organisationId, dto.url, dto.eventTypes, dto.description ?? null, dto.active ?? true, this.secrets.encrypt(secret, id), now],
    );
    return { ...toView(row, now), secret };
  }

  /** Oldest first, a keyset page over (created_at, id). */
  async list(p: Principal, q: ListWebhookSubscriptionsQuery): Promise<Page<WebhookSubscriptionView>> {
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const keyset = new Keyset(SUBSCRIPTION_ORDER, 'createdAt', 'id');
    const params: unknown[] = [];
    const where: string[] = [];
    const after = keyset.after(q.cursor, params);
    if (after) where.push(after);
    if (p.kind === 'client') where.push(`organisation_id = $${params.push(p.organisationId)}`);
    if (q.organisationId) where.push(`organisation_id = $${params.push(q.organisationId)}`);
    const rows: (SubscriptionRow & { sort_key: string })[] = await this.dataSource.query(
      `SELECT ${COLUMNS}, ${keyset.keySql} AS sort_key FROM webhook_subscription ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${keyset.orderBy} LIMIT $${params.push(limit + 1)}`,
      params,
    );
    const now = this.clock.now();
    return pageOf(rows, limit, keyset.positionOf, (r) => toView(r, now));
  }

  async get(p: Principal, id: string): Promise<WebhookSubscriptionView> {
    return toView(await this.load(this.dataSource.manager, p, id), this.clock.now());
  }

  async update(p: Principal, id: string, dto: UpdateWebhookSubscriptionDto): Promise<WebhookSubscriptionView> {
    return this.dataSource.transaction(async (m) => {
      await this.load(m, p, id, true);
      const params: unknown[] = [id, this.clock.now()];
      const set = ['updated_at = $2'];
      const assign = (column: string, value: unknown) => set.push(`${column} = $${params.push(value)}`);
      if (dto.url !== undefined) assign('url', dto.url);
      if (dto.eventTypes !== undefined) assign('event_types', dto.eventTypes);
      if (dto.description !== undefined) assign('description', dto.description);
      if (dto.active !== undefined) assign('active', dto.active);
      const [[row]]: [SubscriptionRow[], number] = await m.query(`UPDATE webhook_subscription SET ${set.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, params);
      return toView(row, this.clock.now());
    });
  }

  /** Deletes the subscription and its deliveries (sent or not): nothing more is sent to it. */
  async remove(p: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.load(m, p, id, true);
      await m.query(`DELETE FROM webhook_subscription WHERE id = $1`, [id]);
    });
  }

  /** A new secret, shown once; the previous one signs along for SECRET_OVERLAP_MS, so the receiver can switch without losing events. */
  async rotateSecret(p: Principal, id: string): Promise<WebhookSubscriptionWithSecretView> {
    return this.dataSource.transaction(async (m) => {
      await this.load(m, p, id, true);
      const secret = this.secrets.generate();
      const now = this.clock.now();
      const [[row]]: [SubscriptionRow[], number] = await m.query(
        `UPDATE webhook_subscription
            SET previous_secret_ciphertext = secret_ciphertext, previous_secret_expires_at = $3, secret_ciphertext = $2,
                secret_rotated_at = $4, updated_at = $4
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, this.secrets.encrypt(secret, id), new Date(now.getTime() + SECRET_OVERLAP_MS), now],
      );
      return { ...toView(row, now), secret };
    });
  }

  /** The subscription if the caller may manage it; another organisation's is not found, as is a missing one. */
  async load(m: EntityManager, p: Principal, id: string, lock = false): Promise<SubscriptionRow> {
    const [row]: SubscriptionRow[] = await m.query(`SELECT ${COLUMNS} FROM webhook_subscription WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!row || (p.kind === 'client' && row.organisation_id !== p.organisationId)) throw notFound('Webhook subscription');
    return row;
  }

  /** An administrator names the organisation; a partner system's is its own (naming another is not found). */
  private async organisationFor(p: Principal, requested: string | undefined): Promise<string> {
    if (p.kind === 'client') {
      if (requested && requested !== p.organisationId) throw notFound('Organisation');
      return p.organisationId;
    }
    if (!requested) throw new ValidationProblem([{ name: 'organisationId', reason: 'is required for an administrator: name the organisation whose system this is' }]);
    const [org] = await this.dataSource.query(`SELECT id FROM organisation WHERE id = $1`, [requested]);
    if (!org) throw notFound('Organisation');
    return requested;
  }
}
