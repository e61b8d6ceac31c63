import { isNationalityCode } from '../../cases/case.dto';
import { Permission } from '../../auth/permissions';
import { Injectable } from '@nestjs/common';
import { isISO8601 } from 'class-validator';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { V_NUMBER } from '../../cases/case.dto';
import { CaseRepository } from '../../cases/case.repository';
import { Clock } from '../../common/clock';
import type { RequestContext } from '../../common/request-context';
import { DomainEventService, DomainEventType } from '../../notifications/domain-event.service';
import { AccessService, TableAccess } from '../../sharing/access.service';
import { ProcessingLogService } from '../../sharing/processing-log.service';
import type { Category } from '../../sharing/categories';
import { disclose } from '../../sharing/disclosure';
import { MeetingRepository } from '../meeting.repository';
import { ListImportCountsView, ListImportDto, ListImportReportView, ListLineReportView } from './list-import.dto';
import type { ListKind } from './list-import.entity';
import { noPlannedMeeting } from './nomination.service';
import { Purpose } from '../../sharing/purposes';


/** Longest an import waits for the imports of its table ahead of it (they hold the table lock one at a time). */
export const LIST_IMPORT_LOCK_WAIT_MS = 15_000;
/** The answer: `created` false means the same list was imported before and this is its stored report. */
export interface ListImportOutcome {
  created: boolean;
  report: ListImportReportView;
}

interface ValidLine {
  line: number;
  vNumber: string;
  familyName: string | null;
  givenNames: string | null;
  dateOfBirth: string | null;
  nationality: string | null;
  note: string | null;
}

const FIELDS = ['vNumber', 'familyName', 'givenNames', 'dateOfBirth', 'nationality', 'note'] as const;
const PURPOSE = Purpose.CaseIntake;

const optionalText = (v: unknown, max: number) => v === undefined || v === null || (typeof v === 'string' && v.trim().length > 0 && v.length <= max);
const text = (v: unknown): string | null => (typeof v === 'string' ? v.trim() : null);

/** What is wrong with a line, naming fields only (never their values); empty when it is valid. `today` is the Clock's. */
function lineProblems(l: Record<string, unknown>, today: string): string[] {
  const problems: string[] = [];
  if (typeof l.vNumber !== 'string' || !V_NUMBER.test(l.vNumber)) problems.push('vNumber must be exactly 10 digits');
  if (!optionalText(l.familyName, 200)) problems.push('familyName must be a text of 1 to 200 characters');
  if (!optionalText(l.givenNames, 200)) problems.push('givenNames must be a text of 1 to 200 characters');
  const dob = l.dateOfBirth;
  if (dob !== undefined && dob !== null && !(typeof dob === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(dob) && isISO8601(dob, { strict: true }) && dob <= today)) {
    problems.push('dateOfBirth must be a date (YYYY-MM-DD) not in the future');
  }
  const nat = l.nationality;
  if (nat !== undefined && nat !== null && !isNationalityCode(nat)) {
    problems.push('nationality must be an upper-case ISO 3166-1 alpha-3 code');
  }
  if (!optionalText(l.note, 1000)) problems.push('note must be a text of at most 1000 characters');
  return problems;
}

/** The report as a response: through disclose() like every other, so a field added untagged never leaks. */
function reportView(r: ListImportReportView, granted: ReadonlySet<Category>): ListImportReportView {
  return disclose(
    ListImportReportView,
    { ...r, counts: disclose(ListImportCountsView, r.counts, granted) as ListImportCountsView, lines: r.lines.map((l) => disclose(ListLineReportView, l, granted) as ListLineReportView) },
    granted,
  ) as ListImportReportView;
}

/** The same list in another line order, or with other whitespace, is the same list. */
export function listContentHash(dto: ListImportDto): string {
  const lines = dto.lines
    .map((l) => JSON.stringify(FIELDS.map((f) => (typeof l[f] === 'string' ? (l[f] as string).trim() : (l[f] ?? null)))))
    .sort();
  return createHash('sha256').update(JSON.stringify(['v1', dto.kind, lines])).digest('hex');
}

/**
 * A partner's list (DOMAIN.md section 4 step 2): people matched by V-number, `intake` cases opened for
 * people without an open case at the table, and every listed case nominated for the next meeting.
 * Idempotent per table, kind, organisation and content.
 */
@Injectable()
export class ListImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly cases: CaseRepository,
    private readonly meetings: MeetingRepository,
    private readonly clock: Clock,
  ) {}

  async import(ctx: RequestContext, tableId: string, dto: ListImportDto): Promise<ListImportOutcome> {
    const startedAt = this.clock.now();
    const hash = listContentHash(dto);
    const p = ctx.principal;
    return this.dataSource.transaction(async (m) => {
      const access = await this.access.require(ctx, 'table', tableId, { permission: Permission.ListImport, operation: 'list.import' }, m);
      // Matching people by V-number is identity processing; the cases and nominations are the table's deliberation.
      await this.access.requireCategories(ctx, access, ['identity', 'deliberation'], 'list.import');
      // The table lock comes before any write: a row inserted first (list_import) takes a key-share lock on
      // the table through its foreign key, and two imports upgrading that to this lock deadlocked.
      // Imports of one table therefore run one after another; a partner sending its lists at once should see
      // them all taken rather than 503s, so this one wait is longer than a request's (and still bounded).
      await m.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`, [
        `${LIST_IMPORT_LOCK_WAIT_MS}ms`,
        `${LIST_IMPORT_LOCK_WAIT_MS + 1000}ms`,
      ]);
      const { prefix } = await this.cases.lockTable(m, tableId);
      // Back to the connection's own bounds (its startup parameters) for the rest of the import.
      await m.query(`SET LOCAL lock_timeout TO DEFAULT; SET LOCAL statement_timeout TO DEFAULT`);
      const stored = await this.findStored(m, tableId, dto.kind, p.organisationId, hash);
      if (stored) return this.repeat(m, ctx, access, stored, startedAt);
      const meeting = await this.meetings.findNextPlanned(m, tableId, startedAt);
      if (!meeting) throw noPlannedMeeting();
      // Claiming the hash makes an identical list (sent by another process, or after the lock) find this one.
      const [claimed] = await m.query(
        `INSERT INTO list_import (table_id, kind, organisation_id, submitted_by_user_id, submitted_by_client_id, content_hash, line_count, report)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '{}') ON CONFLICT ON CONSTRAINT list_import_content_key DO NOTHING RETURNING id`,
        [tableId, dto.kind, p.organisationId, p.kind === 'user' ? p.id : null, p.kind === 'client' ? p.id : null, hash, dto.lines.length],
      );
      if (!claimed) return this.repeat(m, ctx, access, (await this.findStored(m, tableId, dto.kind, p.organisationId, hash))!, startedAt);

      const report = await this.process(m, ctx, tableId, prefix, meeting.id, claimed.id, dto);
      await m.query(`UPDATE list_import SET report = $2 WHERE id = $1`, [claimed.id, JSON.stringify(report.view)]);
      await this.log.record(m, ctx, access, {
        operation: 'list.import',
        activityCategory: 'identity',
        categories: ['identity', 'deliberation'],
        subjects: report.subjects,
        purpose: PURPOSE,
        startedAt,
      });
      await this.events.raise(m, {
        type: DomainEventType.ListImported,
        tableId,
        aggregateType: 'list_import',
        aggregateId: claimed.id,
        payload: { kind: dto.kind, meetingId: meeting.id, nominated: report.view.counts.nominated, casesOpened: report.view.counts.casesOpened },
      });
      return { created: true, report: reportView(report.view, access.categories) };
    });
  }

  private async process(m: EntityManager, ctx: RequestContext, tableId: string, prefix: string, meetingId: string, importId: string, dto: ListImportDto) {
    const lines: ListLineReportView[] = [];
    let valid: ValidLine[] = [];
    const today = this.clock.today();
    dto.lines.forEach((raw, i) => {
      const l = raw as unknown as Record<string, unknown>;
      const problems = lineProblems(l, today);
      if (problems.length) lines[i] = { line: i + 1, outcome: 'invalid', reason: problems.join('; ') };
      else valid.push({ line: i + 1, vNumber: l.vNumber as string, familyName: text(l.familyName), givenNames: text(l.givenNames), dateOfBirth: text(l.dateOfBirth), nationality: text(l.nationality), note: text(l.note) });
    });

    const { subjects, restricted } = await this.ensureSubjects(m, valid);
    // A restricted person's line is skipped: their data is stored, not processed (no case opened, no nomination).
    for (const l of valid.filter((x) => restricted.has(x.vNumber))) lines[l.line - 1] = { line: l.line, outcome: 'restricted' };
    valid = valid.filter((x) => !restricted.has(x.vNumber));
    const openCases = await this.findOpenCases(m, tableId, [...new Set(subjects.values())]);
    const opened = new Set<string>();
    const userId = ctx.principal.kind === 'user' ? ctx.principal.id : null;
    for (const subjectId of new Set(valid.map((l) => subjects.get(l.vNumber)!))) {
      if (openCases.has(subjectId)) continue;
      const reference = await this.cases.nextReference(m, tableId, prefix, this.clock.now());
      const caseId = await this.cases.insertCase(m, { tableId, subjectId, reference });
      await this.cases.insertStatusChange(m, caseId, null, 'intake', null, userId);
      openCases.set(subjectId, { id: caseId, reference });
      opened.add(caseId);
    }

    // One nomination per case; a case listed twice is nominated by its first line.
    const firstLine = new Map<string, ValidLine>();
    for (const l of valid) {
      const caseId = openCases.get(subjects.get(l.vNumber)!)!.id;
      if (!firstLine.has(caseId)) firstLine.set(caseId, l);
    }
    const nominated = new Set<string>(
      (
        await m.query(
          `INSERT INTO nomination (table_id, meeting_id, case_id, reason_code, reason_text, source, list_import_id, organisation_id, user_id, client_id)
           SELECT $1, $2, x.case_id, $3, x.note, 'list', $4, $5, $6, $7 FROM unnest($8::uuid[], $9::text[]) AS x(case_id, note) ORDER BY x.case_id
           ON CONFLICT (meeting_id, case_id, source) WHERE case_id IS NOT NULL DO NOTHING RETURNING case_id`,
          [tableId, meetingId, dto.kind, importId, ctx.principal.organisationId, userId, ctx.principal.kind === 'client' ? ctx.principal.id : null,
            [...firstLine.keys()], [...firstLine.values()].map((l) => l.note)],
        )
      ).map((r: { case_id: string }) => r.case_id),
    );

    for (const l of valid) {
      const c = openCases.get(subjects.get(l.vNumber)!)!;
      const fresh = nominated.has(c.id) && firstLine.get(c.id) === l;
      const outcome = !fresh ? 'already_nominated' : opened.has(c.id) ? 'case_opened_and_nominated' : 'nominated';
      lines[l.line - 1] = { line: l.line, outcome, caseId: c.id, caseReference: c.reference };
    }
    const count = (o: string) => lines.filter((l) => l.outcome === o).length;
    const view: ListImportReportView = {
      importId,
      kind: dto.kind,
      meetingId,
      repeated: false,
      counts: {
        lines: lines.length,
        nominated: count('nominated') + count('case_opened_and_nominated'),
        casesOpened: opened.size,
        alreadyNominated: count('already_nominated'),
        invalid: count('invalid'),
        restricted: count('restricted'),
      },
      lines,
    };
    return { view, subjects: [...new Map(valid.map((l) => [l.vNumber, { subjectId: subjects.get(l.vNumber)!, vNumber: l.vNumber }])).values()] };
  }

  /**
   * V-number → subject id; people not known yet are registered with the list's identity fields. Imports at
   * other tables insert the same people at the same time, and an insert waits for another's uncommitted row
   * of the same V-number: in V-number order those waits cannot form a cycle (in list order they deadlocked).
   */
  private async ensureSubjects(m: EntityManager, lines: ValidLine[]): Promise<{ subjects: Map<string, string>; restricted: Set<string> }> {
    const first = [...new Map(lines.map((l) => [l.vNumber, l] as const)).values()];
    if (!first.length) return { subjects: new Map(), restricted: new Set() };
    const col = <K extends keyof ValidLine>(k: K) => first.map((l) => l[k]);
    await m.query(
      `INSERT INTO subject (v_number, family_name, given_names, date_of_birth, nationality)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[]) AS x(v, f, g, d, n) ORDER BY x.v
       ON CONFLICT (v_number) DO NOTHING`,
      [col('vNumber'), col('familyName'), col('givenNames'), col('dateOfBirth'), col('nationality')],
    );
    const rows: { id: string; v_number: string; restricted: boolean }[] = await m.query(
      `SELECT id, v_number, restricted_at IS NOT NULL AS restricted FROM subject WHERE v_number = ANY($1::text[])`,
      [col('vNumber')],
    );
    return { subjects: new Map(rows.map((r) => [r.v_number, r.id])), restricted: new Set(rows.filter((r) => r.restricted).map((r) => r.v_number)) };
  }

  private async findOpenCases(m: EntityManager, tableId: string, subjectIds: string[]): Promise<Map<string, { id: string; reference: string }>> {
    const rows: { id: string; subject_id: string; reference: string }[] = await m.query(
      `SELECT id, subject_id, reference FROM case_file WHERE table_id = $1 AND subject_id = ANY($2::uuid[]) AND status <> 'closed'`,
      [tableId, subjectIds],
    );
    return new Map(rows.map((r) => [r.subject_id, { id: r.id, reference: r.reference }]));
  }

  private async findStored(m: EntityManager, tableId: string, kind: ListKind, organisationId: string, hash: string): Promise<{ report: ListImportReportView } | undefined> {
    const [row] = await m.query(
      `SELECT report FROM list_import WHERE table_id = $1 AND kind = $2 AND organisation_id = $3 AND content_hash = $4`,
      [tableId, kind, organisationId, hash],
    );
    return row;
  }

  /** The stored report holds no personal data; the attempt itself is still audited. */
  private async repeat(m: EntityManager, ctx: RequestContext, access: TableAccess, stored: { report: ListImportReportView }, startedAt: Date): Promise<ListImportOutcome> {
    await this.log.record(m, ctx, access, { operation: 'list.import.repeat', activityCategory: 'identity', categories: [], subjects: [], purpose: PURPOSE, startedAt });
    return { created: false, report: reportView({ ...stored.report, repeated: true }, access.categories) };
  }
}
