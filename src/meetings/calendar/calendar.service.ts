import { Injectable } from '@nestjs/common';
import ical, { ICalCalendar, ICalEventStatus } from 'ical-generator';
import { DataSource, EntityManager } from 'typeorm';
import { type GlobalRole, type OrganisationType, Permission } from '../../auth/permissions';
import { newSecret, sha256 } from '../../auth/token.service';
import { Clock } from '../../common/clock';
import { notFound } from '../../common/problem';
import type { RequestContext } from '../../common/request-context';
import { AppConfig } from '../../config/app-config';
import { ActionView } from '../../actions/action-view';
import { label, MEETING_STATUS_LABELS } from '../../common/labels';
import { AccessService } from '../../sharing/access.service';
import type { Category } from '../../sharing/categories';
import { disclose } from '../../sharing/disclosure';
import { MeetingView } from '../meeting-view';
import { ProcessingLogService } from '../../sharing/processing-log.service';
import { MeetingRepository } from '../meeting.repository';
import { CalendarFeedView, CreateCalendarFeedDto, CreatedCalendarFeedView } from './calendar.dto';
import { Purpose } from '../../sharing/purposes';

/** Tokens are `newSecret()`: 32 random bytes, base64url. Anything else cannot be a feed. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const MEETING_HOURS = 2;
/** Recent past meetings stay visible in the calendar for a while; older ones drop out of the feed. */
const PAST_DAYS = 30;
const PRODUCT = { company: 'Ketentafel', product: 'Ketentafel', language: 'NL' };

interface FeedRow {
  id: string;
  kind: 'table' | 'organisation';
  table_id: string | null;
  user_id: string;
  organisation_id: string;
  organisation_type: OrganisationType;
  global_roles: GlobalRole[];
}

interface FeedActionRow {
  id: string;
  due_date: string;
  reference: string;
  table_id: string;
  subject_id: string;
  v_number: string;
}

const feedNotFound = () => notFound('Calendar feed');
const NOTHING: ReadonlySet<Category> = new Set();

/**
 * Secret-URL iCalendar feeds, per user: a table's meetings, or the open actions of the user's
 * organisation. Only the token's SHA-256 is stored. A feed answers only while its user is active and
 * (re-checked on every fetch, through AccessService) still sits at the table; otherwise it is "not found".
 * Feeds carry case references and dates only: action descriptions may hold personal data and never appear.
 */
@Injectable()
export class CalendarService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly meetings: MeetingRepository,
    private readonly clock: Clock,
  ) {}

  async create(ctx: RequestContext, dto: CreateCalendarFeedDto): Promise<Partial<CreatedCalendarFeedView>> {
    if (dto.kind === 'table') await this.access.require(ctx, 'table', dto.tableId, { permission: Permission.MeetingRead, operation: 'calendar_feed.create' });
    const token = newSecret();
    const [row] = await this.dataSource.query(
      `INSERT INTO calendar_feed_token (user_id, kind, table_id, token_hash) VALUES ($1, $2, $3, $4) RETURNING id, kind, table_id, created_at`,
      [ctx.principal.id, dto.kind, dto.kind === 'table' ? dto.tableId : null, sha256(token)],
    );
    return disclose(CreatedCalendarFeedView, { ...toView(row), url: `${this.config.PUBLIC_BASE_URL}/api/v1/calendar-feeds/${token}/events` }, new Set());
  }

  /** The caller's feeds that are not revoked, newest first. */
  async list(ctx: RequestContext): Promise<Partial<CalendarFeedView>[]> {
    const rows = await this.dataSource.query(
      `SELECT id, kind, table_id, created_at FROM calendar_feed_token WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id`,
      [ctx.principal.id],
    );
    return rows.map((r: Parameters<typeof toView>[0]) => disclose(CalendarFeedView, toView(r), new Set()));
  }

  /** Someone else's feed is "not found", as is one revoked already. */
  async revoke(ctx: RequestContext, feedId: string): Promise<void> {
    const [, count] = await this.dataSource.query(
      `UPDATE calendar_feed_token SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`,
      [feedId, ctx.principal.id],
    );
    if (!count) throw feedNotFound();
  }

  /** The iCalendar text of a feed, for an anonymous caller who holds its token. */
  async render(token: string, request: { traceId: string; ip?: string }): Promise<string> {
    if (!TOKEN.test(token)) throw feedNotFound();
    const [feed]: FeedRow[] = await this.dataSource.query(
      `SELECT f.id, f.kind, f.table_id, u.id AS user_id, u.organisation_id, o.type AS organisation_type, u.global_roles
         FROM calendar_feed_token f
         JOIN app_user u ON u.id = f.user_id AND u.disabled_at IS NULL
         JOIN organisation o ON o.id = u.organisation_id AND o.active
        WHERE f.token_hash = $1 AND f.revoked_at IS NULL`,
      [sha256(token)],
    );
    if (!feed) throw feedNotFound();
    // The feed acts as its user would, so the one access decision applies unchanged.
    const ctx: RequestContext = {
      principal: { kind: 'user', id: feed.user_id, organisationId: feed.organisation_id, organisationType: feed.organisation_type, roles: feed.global_roles, scopes: [] },
      traceId: request.traceId,
      ip: request.ip,
    };
    const calendar = feed.kind === 'table' ? await this.tableCalendar(ctx, feed.id) : await this.organisationCalendar(ctx);
    return calendar.toString();
  }

  private async tableCalendar(ctx: RequestContext, feedId: string): Promise<ICalCalendar> {
    // Its user must still sit at the table; otherwise the feed is not found.
    const { tableId } = await this.access.require(ctx, 'calendarFeed', feedId, { permission: Permission.MeetingRead, operation: 'calendar_feed.read' });
    const [table] = await this.dataSource.query(`SELECT name, coa_location FROM chain_table WHERE id = $1`, [tableId]);
    const meetings = await this.meetings.findForCalendar(this.dataSource.manager, tableId, PAST_DAYS, this.clock.now());
    const summary = /^LKO\b/i.test(table.name) ? table.name : `LKO ${table.name}`;
    const calendar = ical({ name: summary, prodId: PRODUCT });
    for (const row of meetings) {
      // Rendered from the disclosed meeting view like every other response (a meeting holds no personal data).
      const meeting = disclose(MeetingView, { id: row.id, scheduledAt: row.scheduled_at.toISOString(), status: row.status, location: row.location }, new Set());
      const start = new Date(meeting.scheduledAt!);
      calendar.createEvent({
        id: `${meeting.id}@ketentafel`,
        start,
        end: new Date(start.getTime() + MEETING_HOURS * 3_600_000),
        summary,
        description: `Casusoverleg (${label(MEETING_STATUS_LABELS, meeting.status)})`,
        location: meeting.location ?? table.coa_location,
        // A planned meeting may still move; once its agenda is out it is fixed.
        status: meeting.status === 'planned' ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
      });
    }
    return calendar;
  }

  /**
   * Open actions owned by the user's organisation at every table the user sits at whose covenant grants
   * `deliberation` (actions are deliberation data). An action's due date is data about a person, so the
   * read is logged per table, one entry per person, committed before the feed is sent.
   */
  private async organisationCalendar(ctx: RequestContext): Promise<ICalCalendar> {
    const startedAt = this.clock.now();
    const actions = await this.dataSource.transaction(async (m) => {
      const tables = (await this.access.accessibleTables(ctx, m)).filter((a) => a.categories.has('deliberation'));
      if (!tables.length) return [];
      const rows = await this.findOpenActions(m, ctx.principal.organisationId, tables.map((a) => a.tableId));
      for (const access of tables) {
        const subjects = rows.filter((r) => r.table_id === access.tableId).map((r) => ({ subjectId: r.subject_id, vNumber: r.v_number }));
        if (!subjects.length) continue;
        await this.log.record(m, ctx, access, {
          operation: 'calendar_feed.read',
          activityCategory: 'deliberation',
          categories: ['deliberation'],
          subjects,
          purpose: Purpose.ActionFollowUp,
          startedAt,
        });
      }
      // Each action is disclosed under its own table's covenant, as in the action list.
      const granted = new Map(tables.map((a) => [a.tableId, a.categories]));
      return rows.map((r) => disclose(ActionView, { id: r.id, caseReference: r.reference, dueDate: r.due_date }, granted.get(r.table_id) ?? NOTHING));
    });
    const calendar = ical({ name: 'Ketentafel acties', prodId: PRODUCT });
    for (const action of actions) {
      // An action whose due date is not disclosed has nothing to put in a calendar.
      if (!action.dueDate) continue;
      calendar.createEvent({ id: `${action.id}@ketentafel`, start: action.dueDate, allDay: true, summary: `Actie ${action.caseReference}` });
    }
    return calendar;
  }

  /** A restricted person's data is only stored, not processed: their actions stay out of the feed. */
  private findOpenActions(m: EntityManager, organisationId: string, tableIds: string[]): Promise<FeedActionRow[]> {
    return m.query(
      `SELECT a.id, to_char(a.due_date, 'YYYY-MM-DD') AS due_date, c.reference, c.table_id, c.subject_id, s.v_number
         FROM action a
         JOIN case_file c ON c.id = a.case_id
         JOIN subject s ON s.id = c.subject_id AND s.restricted_at IS NULL
        WHERE a.status = 'open' AND a.owner_organisation_id = $1 AND c.table_id = ANY($2::uuid[])
        ORDER BY a.due_date, a.id`,
      [organisationId, tableIds],
    );
  }
}

function toView(row: { id: string; kind: CalendarFeedView['kind']; table_id: string | null; created_at: Date }): CalendarFeedView {
  return { id: row.id, kind: row.kind, tableId: row.table_id, createdAt: row.created_at.toISOString() };
}
