import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { OrganisationType } from '../auth/permissions';
import { CATEGORY_LABELS, DATA_SUBJECT_CATEGORY_LABELS, label, LAWFUL_GROUND_LABELS, ORGANISATION_TYPE_LABELS } from '../common/labels';
import type { RequestContext } from '../common/request-context';
import { CATEGORIES, type Category, type LawfulGround, type MemberOrganisationType } from '../sharing/categories';
import { grantedSinceSql } from '../sharing/grant-history';
import { JointControllerDto, ProcessingActivityDto, RegisterRecipientDto } from './processing-register.dto';
import type { DataSubjectCategory } from './register-entries';
import { TablePolicy } from './table.policy';

interface ActivityRow {
  id: string;
  table_id: string;
  table_name: string;
  retention_months: number;
  category: Category;
  name: string;
  purpose: string;
  data_subject_categories: DataSubjectCategory[];
  covenant_version: number | null;
  recipients: { organisationType: MemberOrganisationType; lawfulGround: LawfulGround; legalBasis: string; grantedSince: string }[];
}

export const retentionDescription = (months: number) =>
  `Persoonsgegevens van een afgesloten casus worden ${months} maanden na het afsluiten gewist: de persoon wordt geanonimiseerd en vrije tekst, ` +
  'strafrechtelijke en zorggegevens worden verwijderd, tenzij een juridische blokkade (legal hold) geldt. Geaggregeerde cijfers blijven bewaard. ' +
  'Het verwerkingenlogboek en het auditlogboek hebben een eigen bewaartermijn.';

/**
 * The register of processing activities (art. 30 AVG), read from the database as it is: the entries
 * (name, purpose, data subjects), the covenant in force (recipients and their legal bases, since when) and
 * the table (retention, joint controllers). Every covenant grant points at one of these entries; the
 * database refuses a grant that points elsewhere (migration 1764001110000).
 */
@Injectable()
export class ProcessingRegisterService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: TablePolicy,
  ) {}

  /** One table's register, for administrators and the table's members. */
  async forTable(ctx: RequestContext, tableId: string): Promise<ProcessingActivityDto[]> {
    await this.policy.requireReader(ctx, tableId, 'covenant.read');
    return this.entries(tableId);
  }

  /** Every table's register (or one table's), for the privacy officer and administrators. */
  entries(tableId?: string): Promise<ProcessingActivityDto[]> {
    return this.load(tableId ?? null);
  }

  private async load(tableId: string | null): Promise<ProcessingActivityDto[]> {
    const rows: ActivityRow[] = await this.dataSource.query(
      `SELECT pa.id, pa.table_id, t.name AS table_name, t.retention_months, pa.category, pa.name, pa.purpose, pa.data_subject_categories,
              cv.version AS covenant_version,
              coalesce((
                SELECT json_agg(json_build_object(
                         'organisationType', g.organisation_type, 'lawfulGround', g.lawful_ground, 'legalBasis', g.legal_basis,
                         'grantedSince', ${grantedSinceSql('t.id', 'g.organisation_type', 'g.category')}))
                  FROM covenant_grant g
                 WHERE g.covenant_version_id = t.current_covenant_version_id AND g.processing_activity_id = pa.id), '[]') AS recipients
         FROM processing_activity pa
         JOIN chain_table t ON t.id = pa.table_id
         LEFT JOIN covenant_version cv ON cv.id = t.current_covenant_version_id
        WHERE $1::uuid IS NULL OR pa.table_id = $1::uuid
        ORDER BY t.name, t.id`,
      [tableId],
    );
    const controllers = await this.jointControllers([...new Set(rows.map((r) => r.table_id))]);
    const order = (r: ActivityRow) => CATEGORIES.indexOf(r.category);
    const byTable = new Map<string, ActivityRow[]>();
    for (const r of rows) byTable.set(r.table_id, [...(byTable.get(r.table_id) ?? []), r]);
    return [...byTable.values()].flatMap((entries) => entries.sort((a, b) => order(a) - order(b)).map((r) => this.entry(r, controllers.get(r.table_id) ?? [])));
  }

  private entry(r: ActivityRow, jointControllers: JointControllerDto[]): ProcessingActivityDto {
    const recipients: RegisterRecipientDto[] = r.recipients
      .map((g) => ({
        organisationType: g.organisationType,
        organisationTypeLabel: label(ORGANISATION_TYPE_LABELS, g.organisationType),
        lawfulGround: g.lawfulGround,
        lawfulGroundLabel: label(LAWFUL_GROUND_LABELS, g.lawfulGround),
        legalBasis: g.legalBasis,
        grantedSince: new Date(g.grantedSince).toISOString(),
      }))
      .sort((a, b) => a.organisationType.localeCompare(b.organisationType));
    const grounds = [...new Set(recipients.map((g) => g.lawfulGround))].sort();
    return {
      id: r.id,
      tableId: r.table_id,
      tableName: r.table_name,
      category: r.category,
      name: r.name,
      purpose: r.purpose,
      personalDataCategories: [{ code: r.category, label: label(CATEGORY_LABELS, r.category) }],
      dataSubjectCategories: r.data_subject_categories.map((code) => ({ code, label: label(DATA_SUBJECT_CATEGORY_LABELS, code) })),
      lawfulGrounds: grounds.map((code) => ({ code, label: label(LAWFUL_GROUND_LABELS, code) })),
      legalBases: [...new Set(recipients.map((g) => g.legalBasis))].sort(),
      recipients,
      jointControllers,
      retention: { months: r.retention_months, description: retentionDescription(r.retention_months) },
      covenantVersion: r.covenant_version,
    };
  }

  private async jointControllers(tableIds: string[]): Promise<Map<string, JointControllerDto[]>> {
    const rows: (JointControllerDto & { tableId: string })[] = await this.dataSource.query(
      `SELECT mo.table_id AS "tableId", o.id AS "organisationId", o.name, o.type
         FROM table_member_organisation mo JOIN organisation o ON o.id = mo.organisation_id
        WHERE mo.table_id = ANY($1::uuid[]) AND mo.left_at IS NULL
        ORDER BY o.name`,
      [tableIds],
    );
    const out = new Map<string, JointControllerDto[]>();
    for (const { tableId, ...c } of rows) out.set(tableId, [...(out.get(tableId) ?? []), { ...c, typeLabel: label(ORGANISATION_TYPE_LABELS, c.type as OrganisationType) }]);
    return out;
  }
}
