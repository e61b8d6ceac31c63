import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { ListInboxQuery } from './inbox.dto';
import { InboxService } from './inbox.service';
import { InboxItemView, InboxPageView, ReadAllView, UnreadCountView } from './inbox-view';

const DISCLOSURE =
  'A notification holds no personal data. What it is about (table, case reference, link, due date) is shown only while you sit at the ' +
  "case's table and its covenant grants your organisation the category of what it reports; otherwise only its kind and times.";

/** The in-app inbox of the signed-in user (people only). */
@ApiTags('inbox')
@Controller('inbox')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get()
  @Authenticated({ permission: Permission.InboxRead })
  @ApiOperation({ summary: 'My notifications, newest first', description: DISCLOSURE })
  @ApiOkResponse({ type: InboxPageView })
  @ApiInvalidInput()
  list(@Ctx() ctx: RequestContext, @Query() query: ListInboxQuery): Promise<InboxPageView> {
    return this.inbox.list(ctx, query);
  }

  @Get('unread-count')
  @Authenticated({ permission: Permission.InboxRead })
  @ApiOperation({ summary: 'How many of my notifications are unread' })
  @ApiOkResponse({ type: UnreadCountView })
  unreadCount(@Ctx() ctx: RequestContext): Promise<UnreadCountView> {
    return this.inbox.unreadCount(ctx);
  }

  @Post('_read')
  @HttpCode(200)
  @Authenticated({ permission: Permission.InboxUpdate })
  @ApiOperation({ summary: 'Mark all my notifications read' })
  @ApiOkResponse({ type: ReadAllView })
  markAllRead(@Ctx() ctx: RequestContext): Promise<ReadAllView> {
    return this.inbox.markAllRead(ctx);
  }

  @Post(':id/_read')
  @HttpCode(200)
  @Authenticated({ permission: Permission.InboxUpdate })
  @ApiOperation({ summary: 'Mark one of my notifications read', description: `Idempotent: the first read time is kept. ${DISCLOSURE}` })
  @ApiOkResponse({ type: InboxItemView })
  @ApiInvalidInput()
  @ApiNotFound("The notification (someone else's is not found either)")
  markRead(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<Partial<InboxItemView>> {
    return this.inbox.markRead(ctx, id);
  }
}
