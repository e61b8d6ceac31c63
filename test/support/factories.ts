import { randomBytes, randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import { hashPassword } from '../../src/auth/password';
import type { OrganisationType, TableRole } from '../../src/auth/permissions';
import type { DeadlineKind } from '../../src/cases/case-deadline.entity';
import type { CaseStatus } from '../../src/cases/case.entity';
import type { Category } from '../../src/sharing/categories';
import { DEMO_PASSWORD } from '../../src/db/demo-seed';
import { createProcessingActivities, defaultGrants, GrantInput, saveCovenantVersion } from '../../src/tables/covenant-writer';

/** Small builders for tests: they write straight to the database (as the app role), not through the API. */

let passwordHash: Promise<string> | undefined;
const demoHash = () => (passwordHash ??= hashPassword(DEMO_PASSWORD));

export const randomVNumber = () => String(randomInt(1_000_000_000, 9_999_999_999));

export async function givenOrganisation(ds: DataSource, type: OrganisationType, name = `${type} ${randomBytes(3).toString('hex')}`): Promise<string> {
  const [row] = await ds.query(`INSERT INTO organisation (type, name) VALUES ($1, $2) RETURNING id`, [type, name]);
  return row.id;
}

/** A user with the demo password; returns its id and e-mail. */
export async function givenUser(ds: DataSource, organisationId: string, roles: string[] = []): Promise<{ id: string; email: string }> {
  const email = `u-${randomBytes(5).toString('hex')}@test.example`;
  const [row] = await ds.query(
    `INSERT INTO app_user (organisation_id, name, email, password_hash, global_roles) VALUES ($1, 'Test user', $2, $3, $4) RETURNING id`,
    [organisationId, email, await demoHash(), roles],
  );
  return { id: row.id, email };
}

export interface GivenTable {
  id: string;
  prefix: string;
  /** Member organisation id per type. */
  organisations: Partial<Record<OrganisationType, string>>;
}

/**
 * A table with member organisations (one per type, created unless given) and a covenant: the default
 * matrix unless `grants` is given.
 */
export async function givenTable(
  ds: DataSource,
  options: { memberTypes?: OrganisationType[]; organisations?: Partial<Record<OrganisationType, string>>; grants?: GrantInput[]; name?: string } = {},
): Promise<GivenTable> {
  const prefix = Array.from({ length: 4 }, () => String.fromCharCode(65 + randomInt(26))).join('');
  const name = options.name ?? `LKO ${prefix}`;
  const types = options.memberTypes ?? ['COA', 'IND', 'DTV', 'POLICE', 'OM', 'MUNICIPALITY', 'CHAIN_MARINE'];
  return ds.transaction(async (m) => {
    const [table] = await m.query(
      `INSERT INTO chain_table (name, coa_location, municipality_code, cadence_rrule, case_reference_prefix)
       VALUES ($1, 'azc Test', 'GM0243', 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0', $2) RETURNING id`,
      [name, prefix],
    );
    const organisations: Partial<Record<OrganisationType, string>> = {};
    for (const type of types) {
      const orgId =
        options.organisations?.[type] ??
        (await m.query(`INSERT INTO organisation (type, name) VALUES ($1, $2) RETURNING id`, [type, `${type} ${prefix} ${randomBytes(2).toString('hex')}`]))[0].id;
      organisations[type] = orgId;
      await m.query(`INSERT INTO table_member_organisation (table_id, organisation_id) VALUES ($1, $2)`, [table.id, orgId]);
    }
    await createProcessingActivities(m, table.id, name);
    await saveCovenantVersion(m, table.id, options.grants ?? defaultGrants(), null, 'Test covenant');
    return { id: table.id, prefix, organisations };
  });
}

export async function givenMembership(ds: DataSource, tableId: string, userId: string, role: TableRole = 'member' as TableRole): Promise<void> {
  await ds.query(`INSERT INTO table_membership (table_id, user_id, role) VALUES ($1, $2, $3)`, [tableId, userId, role]);
}

/** A user of the table's organisation of `type`, with a membership of the table. */
export async function givenTableUser(ds: DataSource, table: GivenTable, type: OrganisationType, role: 'chair' | 'member' = 'member') {
  const orgId = table.organisations[type];
  if (!orgId) throw new Error(`table has no ${type} member organisation`);
  const user = await givenUser(ds, orgId);
  await givenMembership(ds, table.id, user.id, role as TableRole);
  return user;
}

export async function givenSubject(
  ds: DataSource,
  fields: { vNumber?: string; familyName?: string; givenNames?: string; dateOfBirth?: string; nationality?: string; receptionLocation?: string } = {},
): Promise<{ id: string; vNumber: string }> {
  const vNumber = fields.vNumber ?? randomVNumber();
  const [row] = await ds.query(
    `INSERT INTO subject (v_number, family_name, given_names, date_of_birth, nationality, reception_location)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [vNumber, fields.familyName ?? 'Testpersoon', fields.givenNames ?? 'A.', fields.dateOfBirth ?? '1999-04-01', fields.nationality ?? 'DZA', fields.receptionLocation ?? 'azc Test'],
  );
  return { id: row.id, vNumber };
}

export async function givenCase(
  ds: DataSource,
  table: GivenTable,
  options: { subjectId?: string; status?: CaseStatus; careNotes?: string; procedureStage?: string } = {},
): Promise<{ id: string; subjectId: string; reference: string }> {
  const subjectId = options.subjectId ?? (await givenSubject(ds)).id;
  const status = options.status ?? 'active';
  const reference = `${table.prefix}-T-${randomBytes(4).toString('hex')}`;
  const [row] = await ds.query(
    `INSERT INTO case_file (table_id, subject_id, reference, status, closed_at, care_notes, procedure_stage)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [table.id, subjectId, reference, status, status === 'closed' ? new Date() : null, options.careNotes ?? null, options.procedureStage ?? null],
  );
  return { id: row.id, subjectId, reference };
}

/** A meeting of the table at `scheduledAt` (default: next week), in `status`. */
export async function givenMeeting(
  ds: DataSource,
  table: GivenTable,
  options: { scheduledAt?: Date; status?: 'planned' | 'agenda_published' | 'in_session' } = {},
): Promise<{ id: string }> {
  const scheduledAt = options.scheduledAt ?? new Date(Date.now() + 7 * 86_400_000);
  const status = options.status ?? 'planned';
  const [row] = await ds.query(
    `INSERT INTO meeting (table_id, scheduled_at, status, agenda_published_at, opened_at)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [table.id, scheduledAt, status, status !== 'planned' ? new Date() : null, status === 'in_session' ? new Date() : null],
  );
  return { id: row.id };
}

/** An agenda item; each reason names its category, as every writer of agenda_item.reasons must. */
export async function givenAgendaItem(
  ds: DataSource,
  meetingId: string,
  options: { caseId?: string; topic?: string; position?: number; reasons?: { code: string; detail?: string; category: Category; origin?: 'draft' | 'chair' }[] } = {},
): Promise<{ id: string }> {
  const [row] = await ds.query(
    `INSERT INTO agenda_item (meeting_id, position, case_id, topic, reasons)
     VALUES ($1, coalesce($2, (SELECT coalesce(max(position), 0) + 1 FROM agenda_item WHERE meeting_id = $1)), $3, $4, $5) RETURNING id`,
    [meetingId, options.position ?? null, options.caseId ?? null, options.caseId ? null : (options.topic ?? 'Topic'), JSON.stringify(options.reasons ?? [])],
  );
  return { id: row.id };
}

export async function givenAction(
  ds: DataSource,
  caseId: string,
  ownerOrganisationId: string,
  options: { dueDate?: string; status?: 'open' | 'done' | 'cancelled'; meetingId?: string; description?: string } = {},
): Promise<{ id: string }> {
  const [row] = await ds.query(
    `INSERT INTO action (case_id, owner_organisation_id, description, due_date, status, meeting_id)
     VALUES ($1, $2, $3, coalesce($4::date, current_date + 7), $5, $6) RETURNING id`,
    [caseId, ownerOrganisationId, options.description ?? 'Test action', options.dueDate ?? null, options.status ?? 'open', options.meetingId ?? null],
  );
  return { id: row.id };
}

export async function givenIncident(
  ds: DataSource,
  caseId: string,
  sourceOrganisationId: string,
  options: { classification?: 'nuisance' | 'offence' } = {},
): Promise<{ id: string }> {
  const [row] = await ds.query(
    `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at)
     VALUES ($1, $2, 'theft', $3, 'minor', now()) RETURNING id`,
    [caseId, sourceOrganisationId, options.classification ?? 'nuisance'],
  );
  return { id: row.id };
}

/** A measure of `type` (default: intensive guidance, category `measures`) from now on. */
export async function givenMeasure(ds: DataSource, caseId: string, imposingOrganisationId: string, type = 'intensive_guidance'): Promise<{ id: string }> {
  const [row] = await ds.query(
    `INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at) VALUES ($1, $2, $3, 'Test basis', now()) RETURNING id`,
    [caseId, type, imposingOrganisationId],
  );
  return { id: row.id };
}

export async function givenDeadline(ds: DataSource, caseId: string, kind: DeadlineKind = 'other'): Promise<{ id: string }> {
  const [row] = await ds.query(`INSERT INTO case_deadline (case_id, kind, due_date) VALUES ($1, $2, current_date + 30) RETURNING id`, [caseId, kind]);
  return { id: row.id };
}

export async function givenEscalation(ds: DataSource, caseId: string, requestedByOrganisationId: string): Promise<{ id: string }> {
  const [row] = await ds.query(
    `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id) VALUES ($1, 'coa_ladder', 'COA', $2) RETURNING id`,
    [caseId, requestedByOrganisationId],
  );
  return { id: row.id };
}

/** A member's nomination of a case (or, without `caseId`, a topic) for the meeting. */
export async function givenNomination(
  ds: DataSource,
  table: GivenTable,
  meetingId: string,
  organisationId: string,
  options: { caseId?: string } = {},
): Promise<{ id: string }> {
  const [row] = await ds.query(
    `INSERT INTO nomination (table_id, meeting_id, case_id, topic, reason_code, source, organisation_id)
     VALUES ($1, $2, $3, $4, 'other', 'member', $5) RETURNING id`,
    [table.id, meetingId, options.caseId ?? null, options.caseId ? null : 'Topic', organisationId],
  );
  return { id: row.id };
}

/** An (empty) imported list of the organisation at the table. */
export async function givenListImport(ds: DataSource, table: GivenTable, organisationId: string): Promise<{ id: string }> {
  const [row] = await ds.query(
    `INSERT INTO list_import (table_id, kind, organisation_id, content_hash, line_count, report) VALUES ($1, 'coa_residents', $2, $3, 0, '{}') RETURNING id`,
    [table.id, organisationId, randomBytes(32).toString('hex')],
  );
  return { id: row.id };
}

/** A user's calendar feed of the table's meetings (its token is not kept). */
export async function givenCalendarFeed(ds: DataSource, userId: string, table: GivenTable): Promise<{ id: string }> {
  const [row] = await ds.query(`INSERT INTO calendar_feed_token (user_id, kind, table_id, token_hash) VALUES ($1, 'table', $2, $3) RETURNING id`, [
    userId,
    table.id,
    randomBytes(32),
  ]);
  return { id: row.id };
}

/**
 * `count` active cases of the table, each with a person of its own, in two set-based statements (for the
 * volumes of a load test; givenCase writes one row at a time). References are `<prefix>-B-<n>`, V-numbers
 * random and distinct.
 */
export async function givenCases(ds: DataSource, table: GivenTable, count: number): Promise<{ id: string; subjectId: string; reference: string; vNumber: string }[]> {
  const vNumbers = new Set<string>();
  while (vNumbers.size < count) vNumbers.add(randomVNumber());
  return ds.transaction(async (m) => {
    const subjects: { id: string; v_number: string }[] = await m.query(
      `INSERT INTO subject (v_number, family_name, given_names, date_of_birth, nationality, reception_location)
       SELECT v, 'Testpersoon', 'A.', '1999-04-01', 'DZA', 'azc Test' FROM unnest($1::text[]) AS v
       RETURNING id, v_number`,
      [[...vNumbers]],
    );
    const cases: { id: string; subject_id: string; reference: string }[] = await m.query(
      `INSERT INTO case_file (table_id, subject_id, reference, status)
       SELECT $1, s, $3 || '-B-' || n, 'active' FROM unnest($2::uuid[]) WITH ORDINALITY AS x(s, n)
       RETURNING id, subject_id, reference`,
      [table.id, subjects.map((s) => s.id), table.prefix],
    );
    const vNumberOf = new Map(subjects.map((s) => [s.id, s.v_number]));
    return cases.map((c) => ({ id: c.id, subjectId: c.subject_id, reference: c.reference, vNumber: vNumberOf.get(c.subject_id)! }));
  });
}

/** `perCase` open actions of `ownerOrganisationId` on each case, due in 30 days, in one statement; their ids. */
export async function givenActions(ds: DataSource, caseIds: string[], ownerOrganisationId: string, perCase = 1): Promise<string[]> {
  const rows: { id: string }[] = await ds.query(
    `INSERT INTO action (case_id, owner_organisation_id, description, due_date, status)
     SELECT c, $2, 'Test action ' || i, current_date + 30, 'open' FROM unnest($1::uuid[]) AS c, generate_series(1, $3) AS i
     RETURNING id`,
    [caseIds, ownerOrganisationId, perCase],
  );
  return rows.map((r) => r.id);
}

/** A proposed escalation on the COA ladder (as givenEscalation) on each case, in one statement; their ids. */
export async function givenEscalations(ds: DataSource, caseIds: string[], requestedByOrganisationId: string): Promise<string[]> {
  const rows: { id: string }[] = await ds.query(
    `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id)
     SELECT c, 'coa_ladder', 'COA', $2 FROM unnest($1::uuid[]) AS c
     RETURNING id`,
    [caseIds, requestedByOrganisationId],
  );
  return rows.map((r) => r.id);
}
