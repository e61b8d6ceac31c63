import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Authenticated, Public } from '../../auth/authenticated.decorator';
import { Permission } from '../../auth/permissions';
import { ApiInvalidInput, ApiNotFound } from '../../common/api-docs';
import { pageOfBounded, PageQueryDto } from '../../common/pagination';
import { uuidParam } from '../../common/pipes';
import { Ctx, type RequestContext } from '../../common/request-context';
import { CalendarFeedPage, CreateCalendarFeedDto, CreatedCalendarFeedView } from './calendar.dto';
import { CalendarService } from './calendar.service';

@ApiTags('calendar-feeds')
@Controller('calendar-feeds')
export class CalendarController {
  constructor(private readonly calendars: CalendarService) {}

  @Post()
  @Authenticated({ permission: Permission.CalendarFeedManage })
  @ApiOperation({
    summary: 'Create a calendar feed',
    description: 'Answers with the secret subscription URL, once. Only its hash is stored: a lost URL cannot be shown again; revoke the feed and create a new one.',
  })
  @ApiCreatedResponse({ type: CreatedCalendarFeedView })
  @ApiInvalidInput()
  @ApiNotFound('The table (for a table feed)')
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateCalendarFeedDto) {
    return this.calendars.create(ctx, dto);
  }

  @Get()
  @Authenticated({ permission: Permission.CalendarFeedManage })
  @ApiOperation({ summary: 'Your calendar feeds', description: 'Those not revoked, newest first; without their URLs.' })
  @ApiOkResponse({ type: CalendarFeedPage })
  @ApiInvalidInput()
  async list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto) {
    return pageOfBounded(await this.calendars.list(ctx), query, (f) => f.id!);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.CalendarFeedManage })
  @ApiOperation({ summary: 'Revoke one of your calendar feeds', description: 'Its URL answers 404 from now on.' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiInvalidInput()
  @ApiNotFound('The feed (also one revoked already or of another user)')
  async revoke(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.calendars.revoke(ctx, id);
  }

  @Get(':token/events')
  @Public()
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  @ApiOperation({
    summary: 'The events of a calendar feed (iCalendar)',
    description:
      'For calendar applications; the secret token in the URL is the credential. A table feed holds its planned, published and ' +
      'running meetings (2 hours each; those of the last 30 days included); an organisation feed one all-day event per open action ' +
      'of the organisation, on its due date, titled with the case reference only.',
  })
  @ApiParam({ name: 'token', description: 'The secret of the feed, from its URL.', schema: { type: 'string' } })
  @ApiProduces('text/calendar')
  @ApiOkResponse({ description: 'RFC 5545 iCalendar.', content: { 'text/calendar': { schema: { type: 'string' } } } })
  @ApiNotFound('The feed (unknown or revoked token, disabled user, or a user no longer at the table)')
  events(@Param('token') token: string, @Req() request: FastifyRequest): Promise<string> {
    return this.calendars.render(token, { traceId: String(request.id), ip: request.ip });
  }
}
