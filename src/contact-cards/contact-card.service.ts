import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../auth/permissions';
import { Clock } from '../common/clock';
import { CONTACT_POINT_KIND_LABELS, label } from '../common/labels';
import { notFound } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { AccessService } from '../sharing/access.service';
import { ContactCardView, ContactPointKind, dialable, phoneUri, ReplaceContactCardDto } from './contact-card.dto';

/** A contact point as stored: the chair's text, trimmed, without empty fields. */
interface StoredPoint {
  kind: ContactPointKind;
  serviceName: string;
  phone?: string;
  openingHours?: string;
  url?: string;
  note?: string;
}

interface CardRow {
  table_id: string;
  municipality_code: string;
  municipality_name: string | null;
  heading: string;
  introduction: string | null;
  contact_points: StoredPoint[];
  updated_at: Date;
}

const trimmed = (s: string | undefined) => (s?.trim() ? s.trim() : undefined);

/**
 * A table's public contact card (meldkaart, toolbox section 2.5): where shopkeepers and neighbours report
 * nuisance and crime. Services only, no people: the DTO has no field for a person's name or e-mail, and
 * refuses an e-mail address in any text. Published for anyone to read; only the table's chair edits it.
 */
@Injectable()
export class ContactCardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly clock: Clock,
  ) {}

  /** The card of an active table, for anyone; 404 when the table publishes none. */
  async published(tableId: string, m: EntityManager = this.dataSource.manager): Promise<ContactCardView> {
    const [row]: CardRow[] = await m.query(
      `SELECT c.table_id, t.municipality_code, c.heading, c.introduction, c.contact_points, c.updated_at,
              (SELECT o.name FROM organisation o WHERE o.type = 'MUNICIPALITY' AND o.municipality_code = t.municipality_code AND o.active
                ORDER BY o.name LIMIT 1) AS municipality_name
         FROM contact_card c JOIN chain_table t ON t.id = c.table_id AND t.active
        WHERE c.table_id = $1`,
      [tableId],
    );
    if (!row) throw notFound('Contact card');
    return view(row);
  }

  /** Replaces the whole card (the chair's); answers with it as published. */
  async replace(ctx: RequestContext, tableId: string, dto: ReplaceContactCardDto): Promise<ContactCardView> {
    return this.dataSource.transaction(async (m) => {
      await this.access.require(ctx, 'table', tableId, { permission: Permission.ContactCardManage, operation: 'contact_card.update' }, m);
      const points: StoredPoint[] = dto.contactPoints.map((p) => {
        const stored: StoredPoint = { kind: p.kind, serviceName: p.serviceName.trim() };
        for (const field of ['phone', 'openingHours', 'url', 'note'] as const) {
          const value = trimmed(p[field]);
          if (value !== undefined) stored[field] = value;
        }
        return stored;
      });
      await m.query(
        `INSERT INTO contact_card (table_id, heading, introduction, contact_points, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (table_id) DO UPDATE
           SET heading = EXCLUDED.heading, introduction = EXCLUDED.introduction, contact_points = EXCLUDED.contact_points,
               updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
        [tableId, dto.heading.trim(), trimmed(dto.introduction) ?? null, JSON.stringify(points), this.clock.now(), ctx.principal.kind === 'user' ? ctx.principal.id : null],
      );
      return this.published(tableId, m);
    });
  }
}

function view(row: CardRow): ContactCardView {
  return {
    tableId: row.table_id,
    municipalityCode: row.municipality_code,
    municipalityName: row.municipality_name,
    heading: row.heading,
    introduction: row.introduction,
    contactPoints: row.contact_points.map((p) => {
      const digits = p.phone ? dialable(p.phone) : undefined;
      return {
        kind: p.kind,
        kindLabel: label(CONTACT_POINT_KIND_LABELS, p.kind),
        serviceName: p.serviceName,
        phone: p.phone ?? null,
        phoneUri: digits ? phoneUri(digits) : null,
        openingHours: p.openingHours ?? null,
        url: p.url ?? null,
        note: p.note ?? null,
      };
    }),
    updatedAt: row.updated_at.toISOString(),
  };
}
