import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { QUARTER_PATTERN } from './quarter';

export const STATISTICS_FORMATS = ['json', 'csv'] as const;
export type StatisticsFormat = (typeof STATISTICS_FORMATS)[number];

export class StatisticsQueryDto {
  @ApiPropertyOptional({
    pattern: QUARTER_PATTERN.source,
    example: '2026-Q3',
    description: 'A calendar quarter, `YYYY-Qn` (Europe/Amsterdam). Default: the current quarter, so far. Only whole single quarters are served.',
  })
  @IsOptional()
  @IsString()
  @Matches(QUARTER_PATTERN, { message: '$property must be a quarter such as 2026-Q3' })
  quarter?: string;

  @ApiPropertyOptional({
    enum: STATISTICS_FORMATS,
    description: 'Overrides the Accept header: `csv` for the Dutch CSV (`text/csv`), `json` for JSON. Handy for a download link.',
  })
  @IsOptional()
  @IsIn(STATISTICS_FORMATS)
  format?: StatisticsFormat;
}
