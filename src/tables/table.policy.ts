import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { GlobalRole, Permission } from '../auth/permissions';
import { notFound } from '../common/problem';
import type { RequestContext } from '../common/request-context';
import { AccessService } from '../sharing/access.service';

export const isAdministrator = (ctx: RequestContext) => ctx.principal.kind === 'user' && ctx.principal.roles.includes(GlobalRole.Admin);

/**
 * Who may see and manage a table's metadata (name, members, covenant). That is not case content, so
 * administrators may, although AccessService (rightly) never opens a table to them; everyone else goes
 * through AccessService, which answers "not a member" and "does not exist" alike with 404.
 */
@Injectable()
export class TablePolicy {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  /** An administrator, or a person with an active membership at the table. */
  async requireReader(ctx: RequestContext, tableId: string, action: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    if (isAdministrator(ctx)) return this.requireExists(m, tableId);
    await this.access.require(ctx, 'table', tableId, { permission: Permission.TableRead, operation: action }, m);
  }

  /** An administrator, or the table's chair (a member gets 403 `chair_only`, an outsider 404). */
  async requireManager(ctx: RequestContext, tableId: string, action: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    if (isAdministrator(ctx)) return this.requireExists(m, tableId);
    await this.access.require(ctx, 'table', tableId, { permission: Permission.TableManage, operation: action }, m);
  }

  /**
   * Serialises changes to one table's members and covenant (e.g. "at most one chair"). NO KEY UPDATE,
   * so inserts elsewhere that merely reference the table (cases, meetings) are not blocked.
   */
  async lock(m: EntityManager, tableId: string): Promise<void> {
    await m.query('SELECT 1 FROM chain_table WHERE id = $1 FOR NO KEY UPDATE', [tableId]);
  }

  private async requireExists(m: EntityManager, tableId: string): Promise<void> {
    const [row] = await m.query('SELECT 1 FROM chain_table WHERE id = $1', [tableId]);
    if (!row) throw notFound('Table');
  }
}
