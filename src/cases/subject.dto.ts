import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { V_NUMBER } from './case.dto';

/** A V-number travels in the body, never in a URI (URIs end up in logs and browser histories). */
export class SubjectSearchDto {
  @ApiProperty({ example: '1234567890', description: 'Vreemdelingennummer, exactly 10 digits; exact match.' })
  @IsString()
  @Matches(V_NUMBER, { message: 'vNumber must be exactly 10 digits' })
  vNumber: string;
}
