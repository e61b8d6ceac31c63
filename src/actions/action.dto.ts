import { PageQueryDto } from '../common/pagination';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsOptional, IsString, IsUUID, Length, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { validatorToday } from '../common/clock';
import { ACTION_STATUSES, type ActionStatus } from './action.entity';
import { REVIEW_OUTCOMES, type ReviewOutcome } from './action-review.entity';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 does not). */
export function isIsoDate(value: unknown): value is string {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (!match) return false;
  const [y, m, d] = match.slice(1).map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

export const IsIsoDate = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isIsoDate', validator: { validate: isIsoDate, defaultMessage: () => '$property must be a date (YYYY-MM-DD)' } }, options);

/** Due dates are agreed in the Netherlands: "today" is today in Europe/Amsterdam. */
export const NotBeforeToday = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'notBeforeToday',
      validator: { validate: (v: unknown) => !isIsoDate(v) || v >= validatorToday(), defaultMessage: () => '$property must be today or later (Europe/Amsterdam)' },
    },
    options,
  );

/** "Which action by whom", agreed at an agenda item. */
export class AssignActionDto {
  @ApiProperty({ format: 'uuid', description: 'An active member organisation of the table.' })
  @IsUUID()
  ownerOrganisationId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A user of the owner organisation with an active membership of the table.' })
  @IsOptional()
  @IsUUID()
  ownerUserId?: string;

  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'Category: deliberation.' })
  @IsString()
  @Length(1, 2000)
  description: string;

  @ApiProperty({ format: 'date', description: 'Today or later (Europe/Amsterdam).' })
  @IsIsoDate()
  @NotBeforeToday()
  dueDate: string;
}

const requiredUnlessDone = (o: ReviewActionDto) => o.outcome !== 'done' || o.reason !== undefined;

export class ReviewActionDto {
  @ApiProperty({ format: 'uuid', description: "An action of the item's case that was open when the meeting opened." })
  @IsUUID()
  actionId: string;

  @ApiProperty({
    enum: REVIEW_OUTCOMES,
    description:
      '`done`: the action is done. `replanned`: circumstances changed, it gets `newDueDate` and stays open. ' +
      '`cancelled_circumstances`: circumstances changed, it is cancelled. `not_acted_on`: it stays open and is counted as not acted on.',
  })
  @IsIn(REVIEW_OUTCOMES)
  outcome: ReviewOutcome;

  @ApiPropertyOptional({ minLength: 1, maxLength: 2000, description: 'Required unless the outcome is `done`. Category: deliberation.' })
  @ValidateIf(requiredUnlessDone)
  @IsDefined({ message: 'reason is required unless the outcome is done' })
  @IsString()
  @Length(1, 2000)
  reason?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Required for, and only for, `replanned`; today or later (Europe/Amsterdam).' })
  @ValidateIf((o: ReviewActionDto) => o.outcome === 'replanned' || o.newDueDate !== undefined)
  @IsDefined({ message: 'newDueDate is required for the outcome replanned' })
  @ValidateBy({
    name: 'onlyWhenReplanned',
    validator: { validate: (_, args) => (args?.object as ReviewActionDto).outcome === 'replanned', defaultMessage: () => '$property is only for the outcome replanned' },
  })
  @IsIsoDate()
  @NotBeforeToday()
  newDueDate?: string;
}

export class CompleteActionDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'What was done. Category: deliberation.' })
  @IsString()
  @Length(1, 2000)
  resultNote: string;
}

export class RequestReplanDto {
  @ApiProperty({ format: 'date', description: 'The due date the owner proposes; today or later (Europe/Amsterdam).' })
  @IsIsoDate()
  @NotBeforeToday()
  proposedDueDate: string;

  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'Why the circumstances changed. Category: deliberation.' })
  @IsString()
  @Length(1, 2000)
  reason: string;
}

/** `?status=open&status=done` and `?status=open,done` both mean the same. */
const toList = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);

export const ACTION_SORTS = ['dueDate', '-dueDate'] as const;
export type ActionSort = (typeof ACTION_SORTS)[number];

export class ListActionsQuery extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the actions of cases at this table.' })
  @IsOptional()
  @IsUUID()
  tableId?: string;

  @ApiPropertyOptional({ enum: ACTION_STATUSES, isArray: true, description: 'Repeatable or comma-separated.' })
  @IsOptional()
  @Transform(toList)
  @IsIn(ACTION_STATUSES, { each: true })
  status?: ActionStatus[];

  @ApiPropertyOptional({ type: Boolean, description: 'Open and past the due date (Europe/Amsterdam), or not.' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  ownerOrganisationId?: string;

  @ApiPropertyOptional({ enum: ACTION_SORTS, default: 'dueDate', description: 'By due date, earliest first, or latest first with `-dueDate`; ties by id.' })
  @IsOptional()
  @IsIn(ACTION_SORTS)
  sort?: ActionSort;
}
