import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { MeetingStatus } from './meeting.entity';
import { requireTransition } from './meeting-status';
import type { MeetingRow } from './meeting-view';
import { prepared } from '../db/prepared';
import type { Keyset } from '../common/list-query';

/** A meeting row locked for the rest of the caller's transaction. */
export interface LockedMeeting {
  id: string;
  table_id: string;
  status: MeetingStatus;
  scheduled_at: Date;
  opened_at: Date | null;
}

/** A meeting as the views read it: every column they show (the list view, the agenda and the session alike). */
export interface StoredMeeting extends MeetingRow {
  agenda_drafted_at: Date | null;
}

/**
 * What a move to another status also sets; each column only when given. The instants are the Clock's (not
 * the database's now()), the clock incidents and actions are stamped with: opened_at is compared with
 * their created_at ("agreed before the meeting opened", "recorded during the session").
 */
export interface TransitionStamps {
  agendaPublishedAt?: Date;
  openedAt?: Date;
  closedAt?: Date;
  /** The frozen minutes (closing only). */
  minutes?: unknown;
  cancelledReason?: string;
}

export interface MeetingFilters {
  from?: Date;
  to?: Date;
  status?: MeetingStatus;
}

/**
 * The statement of a page of a table's meetings, served by `meeting_table_page_idx` (table_id, scheduled_at, id)
 * in both directions (test/collections.e2e-spec.ts proves the plan).
 */
export function meetingPageStatement(tableId: string, f: MeetingFilters, keyset: Keyset, cursor: string | undefined, limit: number): { text: string; values: unknown[] } {
  const values: unknown[] = [tableId, f.from ?? null, f.to ?? null, f.status ?? null];
  const after = keyset.after(cursor, values);
  const text = `SELECT ${COLUMNS}, ${keyset.keySql} AS sort_key FROM meeting m
     WHERE m.table_id = $1 AND ($2::timestamptz IS NULL OR m.scheduled_at >= $2) AND ($3::timestamptz IS NULL OR m.scheduled_at < $3)
       AND ($4::text IS NULL OR m.status = $4)${after ? ` AND ${after}` : ''}
     ORDER BY ${keyset.orderBy} LIMIT $${values.push(limit + 1)}`;
  return { text, values };
}

const COLUMNS = `m.id, m.table_id, m.scheduled_at, m.cadence_slot, m.status, m.location, m.agenda_drafted_at, m.agenda_published_at,
  m.opened_at, m.closed_at, m.cancelled_reason, (SELECT count(*)::int FROM agenda_item a WHERE a.meeting_id = m.id) AS item_count`;

/** Before a table's first closed meeting, the draft looks back this far. */
const FIRST_DRAFT_LOOKBACK = `interval '28 days'`;

/**
 * SQL of "since the last meeting" for a draft of the meeting at `scheduledAt`: the moment the table's previous
 * meeting was closed, after which whatever was recorded is new to the table (DOMAIN.md section 4.3); before
 * the table's first closed meeting, four weeks before this one. An expression for the draft's one read
 * statement (AgendaRepository.findDraftState); `tableId` and `scheduledAt` are SQL such as `$1`.
 */
export const draftSinceSql = (tableId: string, scheduledAt: string) =>
  `coalesce((SELECT max(closed_at) FROM meeting WHERE table_id = ${tableId} AND status = 'closed' AND scheduled_at < ${scheduledAt}::timestamptz),
            ${scheduledAt}::timestamptz - ${FIRST_DRAFT_LOOKBACK})`;

/** What the draft's answer shows of its meeting, as `stampDraftedSql` returns it. */
export interface DraftedMeeting {
  id: string;
  status: MeetingStatus;
  agenda_drafted_at: Date;
  agenda_published_at: Date | null;
}

/**
 * SQL that stamps a meeting's draft at `at` (the Clock's now, or the moment a replayed draft stood as of) and
 * returns it as a DraftedMeeting: a part of the draft's one write statement (AgendaRepository.writeDraft).
 */
export const stampDraftedSql = (meetingId: string, at: string) =>
  `UPDATE meeting SET agenda_drafted_at = ${at}::timestamptz, updated_at = now() WHERE id = ${meetingId}
   RETURNING id, status, agenda_drafted_at, agenda_published_at`;

/**
 * Named queries on meetings: every statement that reads or writes the `meeting` table (the draft's two
 * combined statements take their parts from `draftSinceSql` and `stampDraftedSql` above). Every method takes
 * the caller's transaction. Status changes go through `lock` and `transition`, so that MEETING_TRANSITIONS
 * is checked on a locked row.
 */
@Injectable()
export class MeetingRepository {
  async findById(m: EntityManager, meetingId: string): Promise<StoredMeeting | undefined> {
    const [row] = await m.query(`SELECT ${COLUMNS} FROM meeting m WHERE m.id = $1`, [meetingId]);
    return row;
  }

  async findByIds(m: EntityManager, meetingIds: string[]): Promise<StoredMeeting[]> {
    return m.query(`SELECT ${COLUMNS} FROM meeting m WHERE m.id = ANY($1::uuid[]) ORDER BY m.scheduled_at, m.id`, [meetingIds]);
  }

  /** A table's meetings in time order, optionally from `from` (inclusive) to `to` (exclusive) and in one status. */
  /** One keyset page of a table's meetings (`limit + 1` rows, see pageOf) in the order of `keyset`. */
  async findPageOfTable(m: EntityManager, tableId: string, f: MeetingFilters, keyset: Keyset, cursor: string | undefined, limit: number): Promise<(StoredMeeting & { sort_key: string })[]> {
    const { text, values } = meetingPageStatement(tableId, f, keyset, cursor, limit);
    return m.query(text, values);
  }

  /** The meetings a table's calendar shows: not closed or cancelled, and not longer ago than `pastDays` before `now`. */
  async findForCalendar(m: EntityManager, tableId: string, pastDays: number, now: Date): Promise<StoredMeeting[]> {
    return m.query(
      `SELECT ${COLUMNS} FROM meeting m
        WHERE m.table_id = $1 AND m.status IN ('planned', 'agenda_published', 'in_session') AND m.scheduled_at >= $3::timestamptz - make_interval(days => $2)
        ORDER BY m.scheduled_at, m.id`,
      [tableId, pastDays, now],
    );
  }

  /** "The next meeting": the table's earliest planned meeting after `now` (a published agenda is left alone). */
  async findNextPlanned(m: EntityManager, tableId: string, now: Date): Promise<{ id: string } | undefined> {
    const [row] = await m.query(
      `SELECT id FROM meeting WHERE table_id = $1 AND status = 'planned' AND scheduled_at > $2 ORDER BY scheduled_at, id LIMIT 1`,
      [tableId, now],
    );
    return row;
  }

  /** The meeting with its table's name, as the minutes are headed. */
  async findHeading(
    m: EntityManager,
    meetingId: string,
  ): Promise<{ table_id: string; table_name: string; scheduled_at: Date; opened_at: Date | null; location: string | null } | undefined> {
    const [row] = await m.query(
      `SELECT mt.table_id, t.name AS table_name, mt.scheduled_at, mt.opened_at, mt.location
         FROM meeting mt JOIN chain_table t ON t.id = mt.table_id WHERE mt.id = $1`,
      [meetingId],
    );
    return row;
  }

  /** The frozen minutes; null until the meeting is closed. */
  async findMinutes(m: EntityManager, meetingId: string): Promise<unknown> {
    const [row] = await m.query(`SELECT minutes FROM meeting WHERE id = $1`, [meetingId]);
    return row?.minutes ?? null;
  }

  /** Locks the meeting row for the rest of the transaction and returns it (undefined if it does not exist). */
  async lock(m: EntityManager, meetingId: string): Promise<LockedMeeting | undefined> {
    const [row] = await prepared<LockedMeeting>(m, `SELECT id, table_id, status, scheduled_at, opened_at FROM meeting WHERE id = $1 FOR UPDATE`, [meetingId]);
    return row;
  }

  /**
   * The cadence's occurrences that have no meeting yet, created; returns the new ids. A cadence occurrence is
   * keyed by the unique (table_id, cadence_slot) index, so one that was moved or cancelled is never re-created,
   * and an ad-hoc meeting the chair already put at exactly that time is not doubled.
   */
  async insertOccurrences(m: EntityManager, tableId: string, occurrences: { scheduledAt: Date; slot: Date }[]): Promise<string[]> {
    const created: { id: string }[] = await m.query(
      `INSERT INTO meeting (table_id, scheduled_at, cadence_slot)
       SELECT $1, u.scheduled_at, u.slot FROM unnest($2::timestamptz[], $3::timestamptz[]) AS u(scheduled_at, slot)
        WHERE NOT EXISTS (SELECT 1 FROM meeting x WHERE x.table_id = $1 AND x.scheduled_at = u.scheduled_at AND x.status <> 'cancelled')
       ON CONFLICT (table_id, cadence_slot) WHERE cadence_slot IS NOT NULL DO NOTHING
       RETURNING id`,
      [tableId, occurrences.map((o) => o.scheduledAt), occurrences.map((o) => o.slot)],
    );
    return created.map((c) => c.id);
  }

  /** A planned meeting; without `cadenceSlot` it is ad hoc, and regeneration never touches it. */
  async insert(m: EntityManager, meeting: { tableId: string; scheduledAt: Date; location: string | null; cadenceSlot?: Date }): Promise<string> {
    const [row] = await m.query(`INSERT INTO meeting (table_id, scheduled_at, location, cadence_slot) VALUES ($1, $2, $3, $4) RETURNING id`, [
      meeting.tableId,
      meeting.scheduledAt,
      meeting.location,
      meeting.cadenceSlot ?? null,
    ]);
    return row.id;
  }

  async move(m: EntityManager, meetingId: string, scheduledAt: Date, location: string | null): Promise<void> {
    await m.query(`UPDATE meeting SET scheduled_at = $2, location = $3, updated_at = now() WHERE id = $1`, [meetingId, scheduledAt, location]);
  }


  /** Moves a locked meeting to `to`, if MEETING_TRANSITIONS allows it (409 otherwise), setting `stamps` with it. */
  async transition(m: EntityManager, meeting: LockedMeeting, to: MeetingStatus, stamps: TransitionStamps = {}): Promise<void> {
    requireTransition(meeting, to);
    const [[row]] = await m.query(
      `UPDATE meeting SET status = $2, updated_at = now(),
              agenda_published_at = coalesce($3::timestamptz, agenda_published_at), opened_at = coalesce($4::timestamptz, opened_at),
              closed_at = coalesce($5::timestamptz, closed_at), minutes = coalesce($6::jsonb, minutes), cancelled_reason = coalesce($7, cancelled_reason)
        WHERE id = $1
        RETURNING opened_at`,
      [
        meeting.id,
        to,
        stamps.agendaPublishedAt ?? null,
        stamps.openedAt ?? null,
        stamps.closedAt ?? null,
        stamps.minutes === undefined ? null : JSON.stringify(stamps.minutes),
        stamps.cancelledReason ?? null,
      ],
    );
    meeting.status = to;
    meeting.opened_at = row.opened_at;
  }
}
