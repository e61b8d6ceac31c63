import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainEventType } from './domain-event.service';
import { NotificationKind } from './notification-kind';
import { NotificationInput, NotificationService } from './notification.service';

const API = '/api/v1';

export interface StoredEvent {
  id: string;
  type: string;
  table_id: string | null;
  aggregate_type: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  delivered_at: Date | null;
}

export type DeliveryResult =
  | { status: 'delivered'; notifications: number }
  | { status: 'already_delivered' }
  | { status: 'missing' };

/** An earlier event of the same aggregate is not delivered yet; the job is retried (and the sweep relays both again if need be). */
export class EarlierEventPending extends Error {
  constructor(eventId: string, earlierId: string) {
    super(`event ${eventId} waits for the earlier event ${earlierId} of its aggregate`);
  }
}

/** An event type this version does not know (a newer process raised it): never marked delivered without its effects. */
export class UnknownEventType extends Error {}

type Handler = (m: EntityManager, e: StoredEvent) => Promise<NotificationInput[]>;

interface ActionTarget {
  id: string;
  meeting_id: string | null;
  owner_organisation_id: string;
  owner_user_id: string | null;
  case_id: string;
  reference: string;
  table_id: string;
}

const ACTION = `SELECT a.id, a.meeting_id, a.owner_organisation_id, a.owner_user_id, c.id AS case_id, c.reference, c.table_id
                  FROM action a JOIN case_file c ON c.id = a.case_id`;

/**
 * The consumer of domain events: turns one event into its notifications, in one transaction with the
 * mark that it was delivered. Safe to run twice and on two workers at once: each notification is keyed
 * by (recipient, cause) in the database, and the event row is locked while it is delivered.
 *
 * Recipients are read when the event is delivered, from the state then: a notice goes to who sits at the
 * case's table now (a case may have moved), and not at all for what no longer needs it (an action done
 * meanwhile, an escalation already answered, a cancelled meeting).
 */
@Injectable()
export class EventDeliveryService {
  // Typed as a total map: a new event type does not compile until someone decides who (if anyone) is told.
  private readonly handlers: Record<DomainEventType, Handler | null> = {
    [DomainEventType.MeetingScheduled]: null,
    [DomainEventType.MeetingMoved]: null,
    [DomainEventType.MeetingCancelled]: null,
    [DomainEventType.AgendaDrafted]: null,
    [DomainEventType.AgendaPublished]: (m, e) => this.agendaPublished(m, e),
    [DomainEventType.MeetingOpened]: null,
    [DomainEventType.MeetingClosed]: (m, e) => this.meetingClosed(m, e),
    [DomainEventType.MinutesAddendumAdded]: null,
    [DomainEventType.NominationCreated]: null,
    [DomainEventType.ListImported]: null,
    [DomainEventType.ActionAssigned]: (m, e) => this.actionAssigned(m, e),
    [DomainEventType.ActionCompleted]: (m, e) => this.actionCompleted(m, e),
    [DomainEventType.ActionReplanRequested]: null,
    [DomainEventType.ActionReviewed]: null,
    [DomainEventType.EscalationProposed]: null,
    [DomainEventType.EscalationRequested]: (m, e) => this.escalationRequested(m, e),
    [DomainEventType.EscalationWithdrawn]: null,
    [DomainEventType.EscalationAccepted]: null,
    [DomainEventType.EscalationRejected]: null,
    [DomainEventType.EscalationCompleted]: null,
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: NotificationService,
    private readonly clock: Clock,
  ) {}

  async deliver(eventId: string): Promise<DeliveryResult> {
    return this.dataSource.transaction(async (m) => {
      // Locked: a second delivery of the same event (a re-relay, another worker) waits and then finds it delivered.
      const [event]: StoredEvent[] = await m.query(
        `SELECT id::text AS id, type, table_id, aggregate_type, aggregate_id, payload, delivered_at FROM domain_event WHERE id = $1 FOR UPDATE`,
        [eventId],
      );
      if (!event) return { status: 'missing' };
      if (event.delivered_at) return { status: 'already_delivered' };
      const [earlier]: { id: string }[] = await m.query(
        `SELECT id::text AS id FROM domain_event
          WHERE aggregate_type = $1 AND aggregate_id = $2 AND id < $3 AND delivered_at IS NULL
          ORDER BY id LIMIT 1`,
        [event.aggregate_type, event.aggregate_id, eventId],
      );
      if (earlier) throw new EarlierEventPending(eventId, earlier.id);
      if (!(event.type in this.handlers)) throw new UnknownEventType(`no consumer knows the event type ${event.type}`);
      const handler = this.handlers[event.type as DomainEventType];
      let notifications = 0;
      for (const n of handler ? await handler(m, event) : []) notifications += await this.notifications.notify(m, n);
      await m.query(`UPDATE domain_event SET delivered_at = $2 WHERE id = $1`, [eventId, this.clock.now()]);
      return { status: 'delivered', notifications };
    });
  }

  /** The owner organisation's users and the owner user, for an action outside a meeting (agreed ones are told when the meeting closes). */
  private async actionAssigned(m: EntityManager, e: StoredEvent): Promise<NotificationInput[]> {
    const [action]: ActionTarget[] = await m.query(`${ACTION} WHERE a.id = $1 AND a.status = 'open'`, [e.aggregate_id]);
    if (!action || action.meeting_id) return [];
    return [await this.toOwners(m, action, `event:${e.id}`, NotificationKind.ActionAssigned)];
  }

  /** The owners of each action agreed at the meeting, one notice per action. */
  private async meetingClosed(m: EntityManager, e: StoredEvent): Promise<NotificationInput[]> {
    const ids = Array.isArray(e.payload.actionIds) ? (e.payload.actionIds as string[]) : [];
    if (!ids.length) return [];
    const actions: ActionTarget[] = await m.query(`${ACTION} WHERE a.id = ANY($1::uuid[]) AND a.status = 'open' ORDER BY a.id`, [ids]);
    const out: NotificationInput[] = [];
    for (const action of actions) out.push(await this.toOwners(m, action, `event:${e.id}:action:${action.id}`, NotificationKind.ActionAgreed));
    return out;
  }

  /** The chair of the case's table. */
  private async actionCompleted(m: EntityManager, e: StoredEvent): Promise<NotificationInput[]> {
    const [action]: ActionTarget[] = await m.query(`${ACTION} WHERE a.id = $1 AND a.status = 'done'`, [e.aggregate_id]);
    if (!action) return [];
    const audience = await this.notifications.audience(m, action.table_id, { roles: ['chair'], category: 'deliberation' });
    return [
      {
        recipients: audience.users,
        organisations: audience.organisations,
        cause: `event:${e.id}`,
        kind: NotificationKind.ActionCompleted,
        ...this.aboutAction(action),
      },
    ];
  }

  /** The users at the case's table of the organisation type the track addresses. */
  private async escalationRequested(m: EntityManager, e: StoredEvent): Promise<NotificationInput[]> {
    const [row]: { id: string; target_organisation_type: string; case_id: string; reference: string; table_id: string }[] = await m.query(
      `SELECT x.id, x.target_organisation_type, c.id AS case_id, c.reference, c.table_id
         FROM escalation x JOIN case_file c ON c.id = x.case_id WHERE x.id = $1 AND x.status = 'requested'`,
      [e.aggregate_id],
    );
    if (!row) return [];
    const audience = await this.notifications.audience(m, row.table_id, { organisationTypes: [row.target_organisation_type], category: 'deliberation' });
    return [
      {
        recipients: audience.users,
        organisations: audience.organisations,
        cause: `event:${e.id}`,
        kind: NotificationKind.EscalationRequested,
        tableId: row.table_id,
        case: { id: row.case_id, reference: row.reference },
        resource: { type: 'escalation', id: row.id },
        link: `${API}/escalations/${row.id}`,
      },
    ];
  }

  /** Everyone at the table; the notice names the meeting only (each reads the agenda under their own covenant). */
  private async agendaPublished(m: EntityManager, e: StoredEvent): Promise<NotificationInput[]> {
    const [meeting]: { id: string; table_id: string }[] = await m.query(`SELECT id, table_id FROM meeting WHERE id = $1 AND status <> 'cancelled'`, [e.aggregate_id]);
    if (!meeting) return [];
    const audience = await this.notifications.audience(m, meeting.table_id);
    return [
      {
        recipients: audience.users,
        organisations: audience.organisations,
        cause: `event:${e.id}`,
        kind: NotificationKind.AgendaPublished,
        tableId: meeting.table_id,
        resource: { type: 'meeting', id: meeting.id },
        link: `${API}/meetings/${meeting.id}/agenda`,
      },
    ];
  }

  private async toOwners(m: EntityManager, action: ActionTarget, cause: string, kind: NotificationKind): Promise<NotificationInput> {
    const audience = await this.notifications.audience(m, action.table_id, {
      organisationIds: [action.owner_organisation_id],
      userIds: action.owner_user_id ? [action.owner_user_id] : [],
      category: 'deliberation',
    });
    return { recipients: audience.users, organisations: audience.organisations, cause, kind, ...this.aboutAction(action) };
  }

  private aboutAction(action: ActionTarget): Pick<NotificationInput, 'tableId' | 'case' | 'resource' | 'link'> {
    return {
      tableId: action.table_id,
      case: { id: action.case_id, reference: action.reference },
      resource: { type: 'action', id: action.id },
      link: `${API}/actions/${action.id}`,
    };
  }
}
