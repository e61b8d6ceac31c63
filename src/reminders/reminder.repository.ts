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
   * The actions or escalations whose `occasion` is due today and not handled yet: those whose date is one of
   * `windows` for the working days their table runs on, of an open case at an active table.
   */
  async findDueOccasions(m: EntityManager, occasion: Occasion, windows: OccasionWindow[], limit: number): Promise<DueOccasion[]> {
    const spec = OCCASIONS[occasion];
    const src = SOURCES[spec.entity];
    const days = spec.setting ? `coalesce(s.${REMINDER_SETTING_COLUMNS[spec.setting]}, $3)` : '$3::int';
    const fallback = spec.setting ? DEFAULT_REMINDER_SETTINGS[spec.setting] : spec.fixedWorkingDays;
    // The window is read first, by the partial index, whatever the planner thinks of the joins after it.
    return m.query(
      `WITH e AS MATERIALIZED (
         SELECT id, case_id, ${src.date} AS d FROM ${src.table} WHERE status = '${src.status}' AND ${src.date} = ANY($2::date[])
       )
       SELECT e.id, to_char(e.d, 'YYYY-MM-DD') AS date
         FROM e
         JOIN case_file c ON c.id = e.case_id
         JOIN chain_table t ON t.id = c.table_id
         LEFT JOIN table_reminder_settings s ON s.table_id = c.table_id
         JOIN unnest($1::int[], $2::date[]) AS w(n, d) ON w.d = e.d
        WHERE w.n = ${days} AND c.status <> 'closed' AND t.active AND ${notRestricted('c.subject_id')}
          AND NOT EXISTS (SELECT 1 FROM reminder_occasion r WHERE r.cause = $4 || e.id::text || ':' || to_char(e.d, 'YYYY-MM-DD'))
        ORDER BY e.d, e.id
        LIMIT $5`,
      [...windowArrays(windows), fallback, `${spec.causePrefix}:`, limit],
    );
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

  async lockActionForNotice(m: EntityManager, actionId: string): Promise<ActionNoticeTarget | undefined> {
    const [row] = await m.query(
      `SELECT a.id, a.owner_organisation_id, a.owner_user_id, to_char(a.due_date, 'YYYY-MM-DD') AS date, c.id AS case_id, c.reference, c.table_id
         FROM action a JOIN case_file c ON c.id = a.case_id JOIN chain_table t ON t.id = c.table_id
        WHERE a.id = $1 AND a.status = 'open' AND c.status <> 'closed' AND t.active AND ${notRestricted('c.subject_id')}
          FOR SHARE OF a`,
      [actionId],
    );
    return row;
  }

  async lockEscalationForNotice(m: EntityManager, escalationId: string): Promise<EscalationNoticeTarget | undefined> {
    const [row] = await m.query(
      `SELECT x.id, x.target_organisation_type, to_char(x.response_due_date, 'YYYY-MM-DD') AS date, c.id AS case_id, c.reference, c.table_id
         FROM escalation x JOIN case_file c ON c.id = x.case_id JOIN chain_table t ON t.id = c.table_id
        WHERE x.id = $1 AND x.status = 'requested' AND c.status <> 'closed' AND t.active AND ${notRestricted('c.subject_id')}
          FOR SHARE OF x`,
      [escalationId],
    );
    return row;
  }

  async isTableActive(m: EntityManager, tableId: string): Promise<boolean> {
    const [row] = await m.query(`SELECT active FROM chain_table WHERE id = $1`, [tableId]);
    return !!row?.active;
  }

  async isHandled(m: EntityManager, cause: string): Promise<boolean> {
    return (await m.query(`SELECT 1 FROM reminder_occasion WHERE cause = $1`, [cause])).length > 0;
  }

  /** Records the occasion as handled, in the transaction that wrote its notifications; a second writer adds nothing. */
  async markHandled(m: EntityManager, h: { cause: string; tableId: string; recipientCount: number; at: Date }): Promise<void> {
    await m.query(
      `INSERT INTO reminder_occasion (cause, table_id, recipient_count, handled_at) VALUES ($1, $2, $3, $4) ON CONFLICT (cause) DO NOTHING`,
      [h.cause, h.tableId, h.recipientCount, h.at],
    );
  }
}
