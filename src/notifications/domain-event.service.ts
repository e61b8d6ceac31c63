import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { prepared } from '../db/prepared';

/**
 * Domain events the weekly cycle raises. Payloads carry ids and case references only, never personal
 * data: delivery (e-mail, webhooks, inbox) renders per recipient under their own disclosure.
 */
export enum DomainEventType {
  MeetingScheduled = 'meeting.scheduled',
  MeetingMoved = 'meeting.moved',
  MeetingCancelled = 'meeting.cancelled',
  AgendaDrafted = 'agenda.drafted',
  AgendaPublished = 'agenda.published',
  MeetingOpened = 'meeting.opened',
  MeetingClosed = 'meeting.closed',
  MinutesAddendumAdded = 'minutes.addendum_added',
  NominationCreated = 'nomination.created',
  ListImported = 'list.imported',
  ActionAssigned = 'action.assigned',
  ActionCompleted = 'action.completed',
  ActionReplanRequested = 'action.replan_requested',
  ActionReviewed = 'action.reviewed',
  EscalationProposed = 'escalation.proposed',
  EscalationRequested = 'escalation.requested',
  EscalationWithdrawn = 'escalation.withdrawn',
  EscalationAccepted = 'escalation.accepted',
  EscalationRejected = 'escalation.rejected',
  EscalationCompleted = 'escalation.completed',
}

export interface DomainEvent {
  type: DomainEventType;
  tableId: string | null;
  aggregateType: 'meeting' | 'agenda_item' | 'nomination' | 'list_import' | 'action' | 'escalation' | 'case';
  aggregateId: string;
  payload?: Record<string, string | number | boolean | null | string[]>;
}

/**
 * The one place events are raised: appended to the `domain_event` outbox in the transaction of the change
 * itself, so an event exists exactly when its change was committed. A relay (the notifications work)
 * delivers unrelayed events and marks them. Prepared: one text, and most writes raise an event.
 */
@Injectable()
export class DomainEventService {
  async raise(m: EntityManager, ...events: DomainEvent[]): Promise<void> {
    if (!events.length) return;
    await prepared(
      m,
      `INSERT INTO domain_event (type, table_id, aggregate_type, aggregate_id, payload)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::uuid[], $5::jsonb[])`,
      [
        events.map((e) => e.type),
        events.map((e) => e.tableId),
        events.map((e) => e.aggregateType),
        events.map((e) => e.aggregateId),
        events.map((e) => JSON.stringify(e.payload ?? {})),
      ],
    );
  }
}
