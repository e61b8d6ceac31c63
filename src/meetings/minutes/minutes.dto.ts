import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

/** A correction or addition to closed minutes; the minutes themselves never change. */
export class CreateAddendumDto {
  @ApiProperty({ minLength: 1, maxLength: 5000, description: 'Category: deliberation (shown to members granted it).' })
  @IsString()
  @Length(1, 5000)
  @Matches(/\S/, { message: '$property must not be blank' })
  text: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The agenda item of this meeting the addendum belongs to.' })
  @IsOptional()
  @IsUUID()
  agendaItemId?: string;
}
