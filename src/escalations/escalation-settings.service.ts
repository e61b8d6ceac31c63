import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../auth/permissions';
import { InvalidParam, ValidationProblem } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { AccessService } from '../sharing/access.service';
import { ESCALATION_TRACKS, type EscalationTrack } from './escalation.entity';
import {
  DEFAULT_DEPARTURE_INTERVIEW,
  DEFAULT_ESCALATION_RULES,
  DEFAULT_RESPONSE_WORKING_DAYS,
  type EscalationRuleKind,
  RULE_PARAMETERS,
  type RuleDefinition,
} from './escalation-rule.entity';
import { EscalationRuleView, EscalationSettingsView, PutEscalationRulesDto, PutEscalationSettingsDto } from './escalation-settings.dto';

export interface EscalationRuleRow {
  id: string;
  table_id: string;
  kind: EscalationRuleKind;
  track: EscalationTrack;
  threshold: number | null;
  window_days: number | null;
  active: boolean;
}

interface SettingsRow {
  response_working_days: Partial<Record<EscalationTrack, number>>;
  departure_interview_enabled: boolean;
  departure_interview_working_days: number;
}

const TRACKS = Object.keys(ESCALATION_TRACKS) as EscalationTrack[];

/** Inserts the default rules for a new table (table creation and the demo seed), inside their transaction. */
export async function installDefaultEscalationRules(m: EntityManager, tableId: string): Promise<void> {
  await m.query(
    `INSERT INTO escalation_rule (table_id, kind, track, threshold, window_days)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[])`,
    [
      tableId,
      DEFAULT_ESCALATION_RULES.map((r) => r.kind),
      DEFAULT_ESCALATION_RULES.map((r) => r.track),
      DEFAULT_ESCALATION_RULES.map((r) => r.threshold),
      DEFAULT_ESCALATION_RULES.map((r) => r.windowDays),
    ],
  );
}

const ruleView = (r: EscalationRuleRow): EscalationRuleView => ({
  id: r.id,
  kind: r.kind,
  track: r.track,
  threshold: r.threshold,
  windowDays: r.window_days,
  active: r.active,
});

/** A rule's parameters as its kind takes them, or the problems with them (named after the request's fields). */
function ruleParameters(input: { kind: EscalationRuleKind; threshold?: number; windowDays?: number }, at: string): InvalidParam[] {
  const spec = RULE_PARAMETERS[input.kind];
  const out: InvalidParam[] = [];
  for (const field of ['threshold', 'windowDays'] as const) {
    const bounds = spec[field];
    const value = input[field];
    if (!bounds && value !== undefined) out.push({ name: `${at}.${field}`, reason: `is not a parameter of the kind ${input.kind}` });
    if (bounds && (value === undefined || value < bounds[0] || value > bounds[1])) {
      out.push({ name: `${at}.${field}`, reason: `is required for the kind ${input.kind}, from ${bounds[0]} to ${bounds[1]}` });
    }
  }
  return out;
}

/**
 * A table's escalation rules and its settings between meetings (response deadlines per track, the
 * departure interview after a negative IND decision). Configuration, not case data: members read it, the
 * chair changes it. Tables without a settings row run on the defaults.
 */
@Injectable()
export class EscalationSettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  async activeRules(m: EntityManager, tableId: string, kinds: EscalationRuleKind[]): Promise<EscalationRuleRow[]> {
    return m.query(`SELECT * FROM escalation_rule WHERE table_id = $1 AND active AND kind = ANY($2::text[]) ORDER BY kind, track`, [tableId, kinds]);
  }

  async responseWorkingDays(m: EntityManager, tableId: string, track: EscalationTrack): Promise<number> {
    const row = await this.findSettings(m, tableId);
    return row?.response_working_days[track] ?? DEFAULT_RESPONSE_WORKING_DAYS[track];
  }

  async departureInterview(m: EntityManager, tableId: string): Promise<{ enabled: boolean; workingDays: number }> {
    const row = await this.findSettings(m, tableId);
    return row ? { enabled: row.departure_interview_enabled, workingDays: row.departure_interview_working_days } : { ...DEFAULT_DEPARTURE_INTERVIEW };
  }

  async getRules(ctx: RequestContext, tableId: string): Promise<EscalationRuleView[]> {
    return this.dataSource.transaction(async (m) => {
      await this.access.require(ctx, 'table', tableId, { permission: Permission.EscalationSettingsRead, operation: 'escalation_rule.list' }, m);
      return (await this.findRules(m, tableId)).map(ruleView);
    });
  }

  /** The whole set: listed rules are written (active unless said otherwise), the table's others made inactive. */
  async putRules(ctx: RequestContext, tableId: string, dto: PutEscalationRulesDto): Promise<EscalationRuleView[]> {
    const problems = dto.rules.flatMap((r, i) => ruleParameters(r, `rules.${i}`));
    const seen = new Set<string>();
    dto.rules.forEach((r, i) => {
      const key = `${r.kind}/${r.track}`;
      if (seen.has(key)) problems.push({ name: `rules.${i}`, reason: 'lists a kind and track that an earlier rule has' });
      seen.add(key);
    });
    if (problems.length) throw new ValidationProblem(problems);
    const rules: (RuleDefinition & { active: boolean })[] = dto.rules.map((r) => ({
      kind: r.kind,
      track: r.track,
      threshold: r.threshold ?? null,
      windowDays: r.windowDays ?? null,
      active: r.active ?? true,
    }));
    return this.dataSource.transaction(async (m) => {
      await this.access.require(ctx, 'table', tableId, { permission: Permission.EscalationSettingsManage, operation: 'escalation_rule.replace' }, m);
      // Two chairs saving at once: one set wins whole.
      await m.query(`SELECT 1 FROM chain_table WHERE id = $1 FOR UPDATE`, [tableId]);
      await m.query(
        `INSERT INTO escalation_rule (table_id, kind, track, threshold, window_days, active)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::boolean[])
         ON CONFLICT (table_id, kind, track) DO UPDATE
            SET threshold = excluded.threshold, window_days = excluded.window_days, active = excluded.active, updated_at = now()`,
        [tableId, rules.map((r) => r.kind), rules.map((r) => r.track), rules.map((r) => r.threshold), rules.map((r) => r.windowDays), rules.map((r) => r.active)],
      );
      await m.query(
        `UPDATE escalation_rule SET active = false, updated_at = now()
          WHERE table_id = $1 AND active AND NOT (kind || '/' || track = ANY($2::text[]))`,
        [tableId, [...seen]],
      );
      return (await this.findRules(m, tableId)).map(ruleView);
    });
  }

  async getSettings(ctx: RequestContext, tableId: string): Promise<EscalationSettingsView> {
    return this.dataSource.transaction(async (m) => {
      await this.access.require(ctx, 'table', tableId, { permission: Permission.EscalationSettingsRead, operation: 'escalation_settings.read' }, m);
      return this.settingsView(m, tableId);
    });
  }

  /** Replaces the table's settings: what the body leaves out goes back to its default. */
  async putSettings(ctx: RequestContext, tableId: string, dto: PutEscalationSettingsDto): Promise<EscalationSettingsView> {
    const deadlines = dto.responseWorkingDays ?? [];
    const problems: InvalidParam[] = [];
    deadlines.forEach((d, i) => {
      if (deadlines.findIndex((e) => e.track === d.track) !== i) problems.push({ name: `responseWorkingDays.${i}`, reason: 'lists a track that an earlier entry has' });
    });
    if (problems.length) throw new ValidationProblem(problems);
    const departure = dto.departureInterview ?? DEFAULT_DEPARTURE_INTERVIEW;
    return this.dataSource.transaction(async (m) => {
      await this.access.require(ctx, 'table', tableId, { permission: Permission.EscalationSettingsManage, operation: 'escalation_settings.replace' }, m);
      await m.query(
        `INSERT INTO table_escalation_settings (table_id, response_working_days, departure_interview_enabled, departure_interview_working_days)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (table_id) DO UPDATE
            SET response_working_days = excluded.response_working_days, departure_interview_enabled = excluded.departure_interview_enabled,
                departure_interview_working_days = excluded.departure_interview_working_days, updated_at = now()`,
        [tableId, JSON.stringify(Object.fromEntries(deadlines.map((d) => [d.track, d.workingDays]))), departure.enabled, departure.workingDays],
      );
      return this.settingsView(m, tableId);
    });
  }

  private async settingsView(m: EntityManager, tableId: string): Promise<EscalationSettingsView> {
    const row = await this.findSettings(m, tableId);
    return {
      responseWorkingDays: TRACKS.map((track) => ({ track, workingDays: row?.response_working_days[track] ?? DEFAULT_RESPONSE_WORKING_DAYS[track] })),
      departureInterview: row ? { enabled: row.departure_interview_enabled, workingDays: row.departure_interview_working_days } : { ...DEFAULT_DEPARTURE_INTERVIEW },
    };
  }

  private findRules(m: EntityManager, tableId: string): Promise<EscalationRuleRow[]> {
    return m.query(`SELECT * FROM escalation_rule WHERE table_id = $1 ORDER BY kind, track`, [tableId]);
  }

  private async findSettings(m: EntityManager, tableId: string): Promise<SettingsRow | undefined> {
    const [row] = await m.query(
      `SELECT response_working_days, departure_interview_enabled, departure_interview_working_days FROM table_escalation_settings WHERE table_id = $1`,
      [tableId],
    );
    return row;
  }
}
