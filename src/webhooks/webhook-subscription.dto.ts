import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../common/pagination';
import { NotificationKind } from '../notifications/notification-kind';
import { SUBSCRIBABLE_KINDS } from './webhook-event';
import { IsWebhookUrl, WEBHOOK_URL_MAX_LENGTH } from './webhook-url';

const URL_DESCRIPTION =
  'Where the events are POSTed: an absolute URL with a host, without a user name, password or fragment; https in production ' +
  '(http is accepted only outside production, e.g. a receiver on loopback).';
const EVENT_TYPES_DESCRIPTION = 'The notice kinds to be told about (the suffix of the CloudEvents `type` `nl.ketentafel.<kind>`).';

export class CreateWebhookSubscriptionDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Administrators: the organisation whose system this is (required). Partner systems: leave it out; it is always your own organisation." })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiProperty({ maxLength: WEBHOOK_URL_MAX_LENGTH, example: 'https://koppeling.politie.example/ketentafel/events', description: URL_DESCRIPTION })
  @IsString()
  @IsWebhookUrl()
  url: string;

  @ApiProperty({ enum: SUBSCRIBABLE_KINDS, isArray: true, description: EVENT_TYPES_DESCRIPTION })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(SUBSCRIBABLE_KINDS.length)
  @ArrayUnique()
  @IsIn(SUBSCRIBABLE_KINDS, { each: true })
  eventTypes: NotificationKind[];

  @ApiPropertyOptional({ maxLength: 200, example: 'BVH-koppeling, acties en opschalingen' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ default: true, description: 'A paused subscription records nothing new and sends nothing; its pending deliveries wait.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateWebhookSubscriptionDto {
  @ApiPropertyOptional({ maxLength: WEBHOOK_URL_MAX_LENGTH, description: URL_DESCRIPTION })
  @IsOptional()
  @IsString()
  @IsWebhookUrl()
  url?: string;

  @ApiPropertyOptional({ enum: SUBSCRIBABLE_KINDS, isArray: true, description: EVENT_TYPES_DESCRIPTION })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(SUBSCRIBABLE_KINDS.length)
  @ArrayUnique()
  @IsIn(SUBSCRIBABLE_KINDS, { each: true })
  eventTypes?: NotificationKind[];

  @ApiPropertyOptional({ type: String, maxLength: 200, nullable: true, description: '`null` removes it.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  description?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ListWebhookSubscriptionsQuery extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this organisation's (a partner system sees its own organisation's only)." })
  @IsOptional()
  @IsUUID()
  organisationId?: string;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export class ListWebhookDeliveriesQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}
