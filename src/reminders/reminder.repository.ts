import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { notRestricted } from '../sharing/restriction';
import { TIME_ZONE } from '../common/working-days';
import { OCCASIONS, Occasion } from './reminder-occasion';
import { DEFAULT_REMINDER_SETTINGS, REMINDER_SETTING_COLUMNS, REMINDER_SETTINGS, ReminderSetting, ReminderSettings } from './reminder-settings.defaults';

/** A date (due date, deadline, meeting day) whose occasion is due today under `workingDays`. */
export interface OccasionWindow {
  workingDays: number;
  date: string;
}

export interface DueOccasion {
  id: string;
  date: string;
}

/** A page of the sweep: the occasions due, and where the next page starts (undefined: this was the last). */
export interface DuePage {
  due: DueOccasion[];
  next: DueOccasion | undefined;
}

/** An open action, share-locked while its notice is written (a completion or re-plan waits for it). */
export interface ActionNoticeTarget {
  id: string;
  owner_organisation_id: string;
  owner_user_id: string | null;
  date: string;
  case_id: string;
  reference: string;
  table_id: string;
}

/** A requested escalation, share-locked while its notice is written (an answer waits for it). */
export interface EscalationNoticeTarget {
  id: string;
  target_organisation_type: string;
  date: string;
  case_id: string;
  reference: string;
  table_id: string;
}

const SOURCES = {
  action: { table: 'action', date: 'due_date', status: 'open' },
  escalation: { table: 'escalation', date: 'response_due_date', status: 'requested' },
} as const;

const windowArrays = (w: OccasionWindow[]) => [w.map((x) => x.workingDays), w.map((x) => x.date)];

/**
 * Named queries of the reminders: the sweep's (set-based, each served by a partial index of what can still be
 * due: open actions by due date, requested escalations by deadline, undrafted planned meetings by time, so a
 * run reads only the few days' window whatever the size of the tables), the jobs' re-checks under a lock,
 * the ledger of handled occasions and the tables' settings. Every method takes the caller's manager.
 */
@Injectable()
export class ReminderRepository {
  /** The table's settings: its own row, or the defaults. */
  async settingsOf(m: EntityManager, tableId: string): Promise<ReminderSettings> {
    const [row] = await m.query(`SELECT * FROM table_reminder_settings WHERE table_id = $1`, [tableId]);
    if (!row) return { ...DEFAULT_REMINDER_SETTINGS };
    return Object.fromEntries(REMINDER_SETTINGS.map((k) => [k, row[REMINDER_SETTING_COLUMNS[k]] as number])) as unknown as ReminderSettings;
  }

  /** Writes the table's settings; a table back on every default has no row. */
  async saveSettings(m: EntityManager, tableId: string, settings: ReminderSettings, at: Date): Promise<void> {
    if (REMINDER_SETTINGS.every((k) => settings[k] === DEFAULT_REMINDER_SETTINGS[k])) {
      await m.query(`DELETE FROM table_reminder_settings WHERE table_id = $1`, [tableId]);
      return;
    }
    const columns = REMINDER_SETTINGS.map((k) => REMINDER_SETTING_COLUMNS[k]);
    await m.query(
      `INSERT INTO table_reminder_settings (table_id, ${columns.join(', ')}, updated_at)
       VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')}, $${columns.length + 2})
       ON CONFLICT (table_id) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = excluded.updated_at`,
      [tableId, ...REMINDER_SETTINGS.map((k) => settings[k]), at],
    );
  }

  /** Every value of `setting` some table runs on: the default and the tables' own. */
  async settingValuesInUse(m: EntityManager, setting: ReminderSetting): Promise<number[]> {
    const rows: { n: number }[] = await m.query(`SELECT DISTINCT ${REMINDER_SETTING_COLUMNS[setting]} AS n FROM table_reminder_settings`);
    return [...new Set([DEFAULT_REMINDER_SETTINGS[setting], ...rows.map((r) => r.n)])].sort((a, b) => a - b);
  }

  /**
   * One page of the actions or escalations whose `occasion` is due today and not handled yet: those whose
   * date is one of `windows` for the working days their table runs on, of an open case at an active table
   * and a person not restricted. A page reads the next `limit` candidates in (date, id) order after `after`
   * (by the partial index, whatever the planner thinks of the joins after it) and keeps those due; `next` is
   * where the following page starts, undefined after the last. So each page costs its own rows, however
   * many fall due at once (a statement per page that re-read every candidate timed out at 100,000).
   */
  async findDueOccasions(m: EntityManager, occasion: Occasion, windows: OccasionWindow[], limit: number, after?: DueOccasion): Promise<DuePage> {
    const spec = OCCASIONS[occasion];
    const src = SOURCES[spec.entity];
    const days = spec.setting ? `coalesce(s.${REMINDER_SETTING_COLUMNS[spec.setting]}, $3)` : '$3::int';
    const fallback = spec.setting ? DEFAULT_REMINDER_SETTINGS[spec.setting] : spec.fixedWorkingDays;
    const rows: (DueOccasion & { due: boolean })[] = await m.query(
      `WITH e AS MATERIALIZED (
         SELECT id, case_id, ${src.date} AS d FROM ${src.table}
          WHERE status = '${src.status}' AND ${src.date} = ANY($2::date[])
            AND ($6::date IS NULL OR (${src.date}, id) > ($6::date, $7::uuid))
          ORDER BY ${src.date}, id
          LIMIT $5
       )
       SELECT e.id, to_char(e.d, 'YYYY-MM-DD') AS date,
              (c.status <> 'closed' AND t.active AND ${notRestricted('c.subject_id')}
               AND EXISTS (SELECT 1 FROM unnest($1::int[], $2::date[]) AS w(n, d) WHERE w.d = e.d AND w.n = ${days})
               AND NOT EXISTS (SELECT 1 FROM reminder_occasion r WHERE r.cause = $4 || e.id::text || ':' || to_char(e.d, 'YYYY-MM-DD'))) AS due
         FROM e
         JOIN case_file c ON c.id = e.case_id
         JOIN chain_table t ON t.id = c.table_id
         LEFT JOIN table_reminder_settings s ON s.table_id = c.table_id
        ORDER BY e.d, e.id`,
      [...windowArrays(windows), fallback, `${spec.causePrefix}:`, limit, after?.date ?? null, after?.id ?? null],
    );
    const last = rows[rows.length - 1];
    return { due: rows.filter((r) => r.due).map((r) => ({ id: r.id, date: r.date })), next: rows.length === limit ? { id: last.id, date: last.date } : undefined };
  }

  /**
   * The planned meetings of active tables, not drafted yet and still ahead (`now`), whose day is one of
   * `windows` for the table's draft setting. (A sweep query on `meeting`, kept with the other sweep queries.)
   */
  async findMeetingsToDraft(m: EntityManager, windows: OccasionWindow[], now: Date, limit: number): Promise<DueOccasion[]> {
    const lastDate = windows.map((w) => w.date).sort().at(-1);
    return m.query(
      `WITH mt AS MATERIALIZED (
         SELECT id, table_id, scheduled_at, (scheduled_at AT TIME ZONE '${TIME_ZONE}')::date AS d FROM meeting
          WHERE status = 'planned' AND agenda_drafted_at IS NULL
            AND scheduled_at > $3 AND scheduled_at < (($4::date + 1)::timestamp AT TIME ZONE '${TIME_ZONE}')
       )
       SELECT mt.id, to_char(mt.d, 'YYYY-MM-DD') AS date
         FROM mt
         JOIN chain_table t ON t.id = mt.table_id
         LEFT JOIN table_reminder_settings s ON s.table_id = mt.table_id
         JOIN unnest($1::int[], $2::date[]) AS w(n, d) ON w.d = mt.d
        WHERE t.active AND w.n = coalesce(s.agenda_draft_working_days, $5)
        ORDER BY mt.scheduled_at, mt.id
        LIMIT $6`,
      [...windowArrays(windows), now, lastDate, DEFAULT_REMINDER_SETTINGS.agendaDraftWorkingDays, limit],
    );
  }

  /** The open actions of `ids` that can still be due (open case, active table), share-locked, in id order. */
  async lockActionsForNotice(m: EntityManager, ids: string[]): Promise<ActionNoticeTarget[]> {
    return m.query(
      `SELECT a.id, a.owner_organisation_id, a.owner_user_id, to_char(a.due_date, 'YYYY-MM-DD') AS date, c.id AS case_id, c.reference, c.table_id
         FROM action a JOIN case_file c ON c.id = a.case_id JOIN chain_table t ON t.id = c.table_id
        WHERE a.id = ANY($1::uuid[]) AND a.status = 'open' AND c.status <> 'closed' AND t.active AND ${notRestricted('c.subject_id')}
        ORDER BY a.id
          FOR SHARE OF a`,
      [ids],
    );
  }

  /** The requested escalations of `ids` (open case, active table), share-locked, in id order. */
  async lockEscalationsForNotice(m: EntityManager, ids: string[]): Promise<EscalationNoticeTarget[]> {
    return m.query(
      `SELECT x.id, x.target_organisation_type, to_char(x.response_due_date, 'YYYY-MM-DD') AS date, c.id AS case_id, c.reference, c.table_id
         FROM escalation x JOIN case_file c ON c.id = x.case_id JOIN chain_table t ON t.id = c.table_id
        WHERE x.id = ANY($1::uuid[]) AND x.status = 'requested' AND c.status <> 'closed' AND t.active AND ${notRestricted('c.subject_id')}
        ORDER BY x.id
          FOR SHARE OF x`,
      [ids],
    );
  }

  /** The settings of each of `tableIds` (its own row, or the defaults). */
  async settingsOfMany(m: EntityManager, tableIds: string[]): Promise<Map<string, ReminderSettings>> {
    const rows: Record<string, unknown>[] = await m.query(`SELECT * FROM table_reminder_settings WHERE table_id = ANY($1::uuid[])`, [tableIds]);
    const own = new Map(rows.map((row) => [row.table_id as string, row]));
    return new Map(
      tableIds.map((id) => {
        const row = own.get(id);
        const settings = row
          ? (Object.fromEntries(REMINDER_SETTINGS.map((k) => [k, row[REMINDER_SETTING_COLUMNS[k]] as number])) as unknown as ReminderSettings)
          : { ...DEFAULT_REMINDER_SETTINGS };
        return [id, settings];
      }),
    );
  }

  async isTableActive(m: EntityManager, tableId: string): Promise<boolean> {
    const [row] = await m.query(`SELECT active FROM chain_table WHERE id = $1`, [tableId]);
    return !!row?.active;
  }

  /** Which of `causes` were handled already. */
  async handledCauses(m: EntityManager, causes: string[]): Promise<Set<string>> {
    const rows: { cause: string }[] = await m.query(`SELECT cause FROM reminder_occasion WHERE cause = ANY($1::text[])`, [causes]);
    return new Set(rows.map((r) => r.cause));
  }

  /** Records the occasions as handled, in the transaction that wrote their notifications; a second writer adds nothing. */
  async markHandled(m: EntityManager, handled: { cause: string; tableId: string; recipientCount: number }[], at: Date): Promise<void> {
    if (!handled.length) return;
    await m.query(
      `INSERT INTO reminder_occasion (cause, table_id, recipient_count, handled_at)
       SELECT cause, table_id, n, $4 FROM unnest($1::text[], $2::uuid[], $3::int[]) AS h(cause, table_id, n)
       ON CONFLICT (cause) DO NOTHING`,
      [handled.map((h) => h.cause), handled.map((h) => h.tableId), handled.map((h) => h.recipientCount), at],
    );
  }
}
