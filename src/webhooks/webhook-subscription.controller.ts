import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookEventData } from './webhook-event';
import { CreateWebhookSubscriptionDto, ListWebhookDeliveriesQuery, ListWebhookSubscriptionsQuery, UpdateWebhookSubscriptionDto } from './webhook-subscription.dto';
import { WebhookSubscriptionService } from './webhook-subscription.service';
import type { Page } from '../common/pagination';
import { WebhookDeliveryPageView, WebhookDeliveryView, WebhookSubscriptionPage, WebhookSubscriptionView, WebhookSubscriptionWithSecretView } from './webhook-view';
import { Versioned } from '../common/etag';

const WHO =
  'For administrators (any organisation) and partner systems with scope `webhooks:manage` (their own organisation only; ' +
  "another organisation's subscription is not found).";

/**
 * Webhook subscriptions of partner systems: where to POST which notice kinds, signed per Standard Webhooks,
 * as CloudEvents following the NL GOV profile (the event's `data` is the `WebhookEventData` schema).
 */
@ApiTags('webhooks')
@ApiExtraModels(WebhookEventData)
@Controller('webhook-subscriptions')
export class WebhookSubscriptionController {
  constructor(
    private readonly subscriptions: WebhookSubscriptionService,
    private readonly deliveries: WebhookDeliveryService,
  ) {}

  @Post()
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiOperation({ summary: 'Subscribe an endpoint to notice kinds', description: `${WHO} The signing secret is in this response only.` })
  @ApiCreatedResponse({ type: WebhookSubscriptionWithSecretView })
  @ApiInvalidInput()
  @ApiNotFound('The organisation')
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateWebhookSubscriptionDto): Promise<WebhookSubscriptionWithSecretView> {
    return this.subscriptions.create(ctx.principal, dto);
  }

  @Get()
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiOperation({ summary: 'List webhook subscriptions', description: WHO })
  @ApiOkResponse({ type: WebhookSubscriptionPage })
  @ApiInvalidInput()
  list(@Ctx() ctx: RequestContext, @Query() query: ListWebhookSubscriptionsQuery): Promise<Page<WebhookSubscriptionView>> {
    return this.subscriptions.list(ctx.principal, query);
  }

  @Get(':id')
  @Versioned('webhook_subscription')
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiOperation({ summary: 'One webhook subscription', description: WHO })
  @ApiOkResponse({ type: WebhookSubscriptionView })
  @ApiInvalidInput()
  @ApiNotFound('The subscription')
  get(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<WebhookSubscriptionView> {
    return this.subscriptions.get(ctx.principal, id);
  }

  @Patch(':id')
  @Versioned('webhook_subscription')
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiOperation({ summary: 'Change the URL, the notice kinds or the description, or pause and resume', description: WHO })
  @ApiOkResponse({ type: WebhookSubscriptionView })
  @ApiInvalidInput()
  @ApiNotFound('The subscription')
  update(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: UpdateWebhookSubscriptionDto): Promise<WebhookSubscriptionView> {
    return this.subscriptions.update(ctx.principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiOperation({ summary: 'End a subscription', description: `${WHO} Its deliveries go with it; nothing more is sent.` })
  @ApiNoContentResponse({ description: 'Ended.' })
  @ApiInvalidInput()
  @ApiNotFound('The subscription')
  async remove(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.subscriptions.remove(ctx.principal, id);
  }

  @Post(':id/_rotate')
  @HttpCode(200)
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiOperation({
    summary: 'Issue a new signing secret',
    description: `${WHO} The new secret is in this response only. For 24 hours deliveries carry a signature under the previous secret as well.`,
  })
  @ApiOkResponse({ type: WebhookSubscriptionWithSecretView })
  @ApiInvalidInput()
  @ApiNotFound('The subscription')
  rotateSecret(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<WebhookSubscriptionWithSecretView> {
    return this.subscriptions.rotateSecret(ctx.principal, id);
  }

  @Get(':id/deliveries')
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiOperation({ summary: "A subscription's deliveries, newest first", description: WHO })
  @ApiOkResponse({ type: WebhookDeliveryPageView })
  @ApiInvalidInput()
  @ApiNotFound('The subscription')
  listDeliveries(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Query() query: ListWebhookDeliveriesQuery): Promise<WebhookDeliveryPageView> {
    return this.deliveries.list(ctx.principal, id, query);
  }

  @Post(':id/deliveries/:deliveryId/_resend')
  @HttpCode(200)
  @Authenticated({ permission: Permission.WebhookManage })
  @ApiOperation({
    summary: 'Send a delivered or failed delivery again',
    description: `${WHO} Same event id; due at once, with a fresh round of retries. The event is built anew, under the covenant of now.`,
  })
  @ApiOkResponse({ type: WebhookDeliveryView })
  @ApiInvalidInput()
  @ApiNotFound('The subscription or the delivery')
  @ApiProblem(409, 'The delivery is still pending (`webhook_delivery_pending`).')
  resend(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam('id')) id: string,
    @Param('deliveryId', uuidParam('deliveryId')) deliveryId: string,
  ): Promise<WebhookDeliveryView> {
    return this.deliveries.resend(ctx.principal, id, deliveryId);
  }
}
