import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MEASURE_CATALOGUE } from '../cases/measure-catalogue';
import type { MinutesSnapshot } from '../meetings/minutes/minutes-snapshot';
import { ERASED_CATEGORIES, scrubMinutes } from './minutes-erasure';

/** Measure types whose notes survive erasure; any other type (criminal, care, or unknown to the catalogue) loses its note. */
const KEPT_NOTE_TYPES = MEASURE_CATALOGUE.filter((t) => !ERASED_CATEGORIES.has(t.category)).map((t) => t.code);

/** Counts only: what one erasure did (stored with the request, returned to the privacy officer). */
export interface ErasureOutcome {
  cases: number;
  casesClosed: number;
  incidentsScrubbed: number;
  measureNotesDeleted: number;
  agendaItemsRemoved: number;
  minutesRewritten: number;
  /** Erased cases given a placeholder person of their own, because the person still has other cases. */
  casesUnlinked: number;
  subjectErased: boolean;
}

export interface CaseToErase {
  id: string;
  subject_id: string;
  status: string;
  erased_at: Date | null;
}

const count = (result: unknown): number => (Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0);

/**
 * Erasure (DOMAIN.md section 7; art. 17 AVG and the covenant's retention period), in the caller's transaction:
 * - the person is anonymised once none of their cases is left unerased: identity fields emptied, the V-number
 *   replaced by a placeholder (`erased:<id>`), `erased_at` set (a constraint holds the subject to that);
 * - per case: the incidents' free text (place, description) and their source references are deleted; care
 *   notes and the notes of measures of the criminal and care categories are deleted; the case is closed if
 *   open and marked `erased_at`; it leaves the agendas of meetings not held yet; the frozen minutes lose the
 *   same criminal and care details (the one change the closed-meeting trigger allows, see the migration);
 * - a case erased while its person keeps other cases (retention of one closed case) is moved to a placeholder
 *   person of its own, so that what remains of it is linked to nobody.
 * What survives are aggregates: kinds, classifications, severities, dates, statuses, measure types, tracks,
 * outcomes, and the table's deliberation. The processing and audit logs are untouched (append-only; they hold
 * the person only as a keyed hash). Legal holds and restriction are the callers' to check first.
 */
@Injectable()
export class ErasureService {
  /** Locks and returns the cases, in id order (two erasures of one person never deadlock). */
  async lockCases(m: EntityManager, where: { subjectId: string } | { caseId: string }): Promise<CaseToErase[]> {
    const [column, value] = 'subjectId' in where ? ['subject_id', where.subjectId] : ['id', where.caseId];
    return m.query(`SELECT id, subject_id, status, erased_at FROM case_file WHERE ${column} = $1 ORDER BY id FOR UPDATE`, [value]);
  }

  /** Erases every case of the person and the person. */
  async eraseSubject(m: EntityManager, subjectId: string, at: Date, userId: string | null): Promise<ErasureOutcome> {
    const cases = (await this.lockCases(m, { subjectId })).filter((c) => !c.erased_at);
    const outcome = await this.eraseCases(m, cases, at, userId);
    await this.anonymise(m, subjectId, at);
    return { ...outcome, subjectErased: true };
  }

  /**
   * Erases one case (retention). The person is anonymised too when this was their last case not erased;
   * otherwise the case moves to a placeholder person of its own.
   */
  async eraseCase(m: EntityManager, c: CaseToErase, at: Date): Promise<ErasureOutcome> {
    const outcome = await this.eraseCases(m, [c], at, null);
    const [{ others }] = await m.query(`SELECT count(*)::int AS others FROM case_file WHERE subject_id = $1 AND erased_at IS NULL`, [c.subject_id]);
    if (others === 0) {
      await this.anonymise(m, c.subject_id, at);
      return { ...outcome, subjectErased: true };
    }
    const [placeholder] = await m.query(`INSERT INTO subject (id, v_number, erased_at) SELECT g, 'erased:' || g::text, $1 FROM gen_random_uuid() g RETURNING id`, [at]);
    await m.query(`UPDATE case_file SET subject_id = $2 WHERE id = $1`, [c.id, placeholder.id]);
    return { ...outcome, casesUnlinked: 1 };
  }

  private async eraseCases(m: EntityManager, cases: CaseToErase[], at: Date, userId: string | null): Promise<ErasureOutcome> {
    const ids = cases.map((c) => c.id);
    const outcome: ErasureOutcome = {
      cases: ids.length,
      casesClosed: 0,
      incidentsScrubbed: 0,
      measureNotesDeleted: 0,
      agendaItemsRemoved: 0,
      minutesRewritten: 0,
      casesUnlinked: 0,
      subjectErased: false,
    };
    if (!ids.length) return outcome;

    const open = cases.filter((c) => c.status !== 'closed');
    for (const c of open) {
      await m.query(`INSERT INTO case_status_change (case_id, from_status, to_status, reason, changed_by, changed_at) VALUES ($1, $2, 'closed', $3, $4, $5)`, [
        c.id,
        c.status,
        'Gesloten bij wissing van de persoonsgegevens (AVG)',
        userId,
        at,
      ]);
    }
    outcome.casesClosed = open.length;
    await m.query(
      `UPDATE case_file SET status = 'closed', closed_at = coalesce(closed_at, $2), care_notes = NULL, erased_at = $2, updated_at = now() WHERE id = ANY($1::uuid[])`,
      [ids, at],
    );
    outcome.incidentsScrubbed = count(
      await m.query(
        `UPDATE incident SET place = NULL, description = NULL, external_reference = NULL, request_hash = NULL
          WHERE case_id = ANY($1::uuid[]) AND (place IS NOT NULL OR description IS NOT NULL OR external_reference IS NOT NULL OR request_hash IS NOT NULL)`,
        [ids],
      ),
    );
    outcome.measureNotesDeleted = count(
      await m.query(`UPDATE measure SET note = NULL WHERE case_id = ANY($1::uuid[]) AND note IS NOT NULL AND NOT (type = ANY($2::text[]))`, [ids, KEPT_NOTE_TYPES]),
    );
    // Off the agendas of meetings not held yet; an item that actions or escalations refer to stays (they record what was agreed).
    outcome.agendaItemsRemoved = count(
      await m.query(
        `DELETE FROM agenda_item ai USING meeting mt
          WHERE mt.id = ai.meeting_id AND mt.status IN ('planned', 'agenda_published') AND ai.case_id = ANY($1::uuid[])
            AND NOT EXISTS (SELECT 1 FROM action a WHERE a.agenda_item_id = ai.id)
            AND NOT EXISTS (SELECT 1 FROM escalation e WHERE e.agenda_item_id = ai.id)`,
        [ids],
      ),
    );
    outcome.minutesRewritten = await this.scrubFrozenMinutes(m, ids);
    return outcome;
  }

  /** The frozen minutes that discussed these cases lose what the cases lost (see scrubMinutes). */
  private async scrubFrozenMinutes(m: EntityManager, caseIds: string[]): Promise<number> {
    const meetings: { id: string; minutes: MinutesSnapshot }[] = await m.query(
      `SELECT mt.id, mt.minutes FROM meeting mt
        WHERE mt.status = 'closed' AND mt.minutes IS NOT NULL
          AND mt.id IN (SELECT meeting_id FROM agenda_item WHERE case_id = ANY($1::uuid[]))
        ORDER BY mt.id FOR UPDATE`,
      [caseIds],
    );
    const erased = new Set(caseIds);
    let rewritten = 0;
    for (const meeting of meetings) {
      const scrubbed = scrubMinutes(meeting.minutes, erased);
      if (scrubbed === meeting.minutes) continue;
      // The trigger lets this one change through: the minutes column only, in a transaction that says so.
      await m.query(`SELECT set_config('ketentafel.minutes_erasure', 'on', true)`);
      await m.query(`UPDATE meeting SET minutes = $2 WHERE id = $1`, [meeting.id, JSON.stringify(scrubbed)]);
      await m.query(`SELECT set_config('ketentafel.minutes_erasure', 'off', true)`);
      rewritten++;
    }
    return rewritten;
  }

  private async anonymise(m: EntityManager, subjectId: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE subject SET v_number = 'erased:' || id::text, family_name = NULL, given_names = NULL, date_of_birth = NULL, nationality = NULL,
                          reception_location = NULL, restricted_at = NULL, erased_at = $2, updated_at = now()
        WHERE id = $1 AND erased_at IS NULL`,
      [subjectId, at],
    );
  }
}
