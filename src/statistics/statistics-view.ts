import type { ApiPropertyOptions } from '@nestjs/swagger';
import { INCIDENT_CLASSIFICATIONS, INCIDENT_KINDS } from '../cases/incident.entity';
import { MEASURE_TYPE_CODES } from '../cases/measure-catalogue';
import { NotPersonal } from '../sharing/disclosure';
import { LESS_THAN_TEN, MEDIAN_MIN_CASES, MIN_POPULATION, type ShownCount } from './disclosure-control';
import { amsterdamDate, TIME_ZONE } from '../common/working-days';
import type { Quarter } from './quarter';
import { ACTION_RESULTS, ESCALATION_OUTCOMES, ESCALATION_TRACK_CODES, type StatisticsFigures } from './statistics-report';

type Schema = NonNullable<ApiPropertyOptions['items']> & Record<string, unknown>;

/** A count as shown: rounded to tens, `< 10`, or null when suppressed. */
const COUNT: Schema = {
  oneOf: [
    { type: 'integer', minimum: 10, multipleOf: 10 },
    { type: 'string', enum: [LESS_THAN_TEN] },
  ],
  nullable: true,
  description: `Rounded to tens (half up); 0 to 9 as \`${LESS_THAN_TEN}\`; null when suppressed (see \`disclosureControl\`).`,
};
const count = (description: string): ApiPropertyOptions => ({ ...COUNT, description: `${description} ${COUNT.description}` }) as ApiPropertyOptions;
const countsBy = (codes: readonly string[], description: string): ApiPropertyOptions =>
  ({ type: 'object', properties: Object.fromEntries(codes.map((c) => [c, COUNT])), required: [...codes], description }) as ApiPropertyOptions;
const median = (description: string): ApiPropertyOptions => ({
  type: 'integer',
  nullable: true,
  description: `${description} Whole days (Europe/Amsterdam dates); null when over fewer than ${MEDIAN_MIN_CASES} cases.`,
});

export class CaseFiguresView {
  @NotPersonal(count('Cases opened in the period.')) opened: ShownCount;
  @NotPersonal(count('Cases closed in the period.')) closed: ShownCount;
}

export class IncidentFiguresView {
  @NotPersonal(count('Incidents that occurred in the period.')) total: ShownCount;
  @NotPersonal(countsBy(INCIDENT_KINDS, 'By kind; every kind is listed.')) byKind: Record<string, ShownCount>;
  @NotPersonal(countsBy(INCIDENT_CLASSIFICATIONS, 'By classification: `nuisance` (category incidents) and `offence` (category criminal).'))
  byClassification: Record<string, ShownCount>;
}

export class MeasureFiguresView {
  @NotPersonal(count('Measures imposed (not only planned) that started in the period.')) total: ShownCount;
  @NotPersonal(countsBy(MEASURE_TYPE_CODES, 'By type of the measures catalogue (`GET /measure-types`); every type is listed.')) byType: Record<string, ShownCount>;
}

export class TrackFiguresView {
  @NotPersonal(count('Escalations of this track requested in the period.')) total: ShownCount;
  @NotPersonal(countsBy(ESCALATION_OUTCOMES, 'By status now: `requested` (awaiting an answer), `accepted`, `rejected`, `completed`, `withdrawn`.'))
  byOutcome: Record<string, ShownCount>;
}

export class EscalationFiguresView {
  @NotPersonal(count('Escalations requested in the period.')) total: ShownCount;
  @NotPersonal({
    type: 'object',
    properties: Object.fromEntries(ESCALATION_TRACK_CODES.map((t) => [t, { $ref: '#/components/schemas/TrackFiguresView' }])),
    required: [...ESCALATION_TRACK_CODES],
    description: 'By track; every track is listed.',
  } as ApiPropertyOptions)
  byTrack: Record<string, TrackFiguresView>;
}

export class IndPriorityFiguresView {
  @NotPersonal(count('IND priority handling requested in the period (the `ind_priority` track).')) requested: ShownCount;
  @NotPersonal(count('Of those, how many the IND has decided on since the request, by the reference date.')) decided: ShownCount;
}

export class ActionFiguresView {
  @NotPersonal(count('Actions due in the period, up to the reference date.')) due: ShownCount;
  @NotPersonal(countsBy(ACTION_RESULTS, '`completed_on_time` (done by the due date), `completed_late`, `cancelled`, `open`, as they stand at the reference date.'))
  byResult: Record<string, ShownCount>;
  @NotPersonal(count('Of those, reviewed at a meeting as not acted on at least once.')) notActedOn: ShownCount;
}

export class MedianFiguresView {
  @NotPersonal(median('Median days from opening to the first measure, of the cases opened in the period that had one by the reference date.')) daysToFirstMeasure: number | null;
  @NotPersonal(median('Median days from opening to closing, of the cases closed in the period.')) daysToClose: number | null;
}

export class DisclosureControlView {
  @NotPersonal({ type: 'integer', example: 10, description: 'Counts are rounded to multiples of this; below it they are shown as `< 10`.' }) roundedTo: number;
  @NotPersonal({ type: 'integer', example: MIN_POPULATION, description: 'A breakdown is suppressed (null) when fewer people than this stand behind its total.' })
  minimumPopulation: number;
  @NotPersonal({ type: 'integer', example: MEDIAN_MIN_CASES, description: 'A median is withheld (null) below this many cases.' }) medianMinimumCases: number;
  @NotPersonal({
    description:
      'Further figures are suppressed (null) where the others would reveal that a `< 10` or suppressed figure is not zero (complementary suppression).',
  })
  note: string;
}

export class StatisticsPeriodView {
  @NotPersonal({ example: '2026-Q3', description: 'The calendar quarter.' }) quarter: string;
  @NotPersonal({ type: String, format: 'date', description: 'First day, from midnight Europe/Amsterdam.' }) from: string;
  @NotPersonal({ type: String, format: 'date', description: 'Last day, until midnight Europe/Amsterdam.' }) through: string;
  @NotPersonal({ example: 'Europe/Amsterdam' }) timeZone: string;
  @NotPersonal({
    type: String,
    format: 'date-time',
    description: 'The reference date (peildatum): nothing later is counted, and outcomes and results are as they stood then.',
  })
  asOf: string;
  @NotPersonal({ description: 'Whether the quarter was over at the reference date (otherwise the figures are so far).' }) complete: boolean;
}

export class StatisticsTableRefView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal() name: string;
}

/** The statistics of one table or one municipality for one quarter: aggregates only, no personal data. */
export class StatisticsView {
  @NotPersonal({ enum: ['table', 'municipality'] }) scope: 'table' | 'municipality';
  @NotPersonal({ example: 'GM0243', description: 'CBS municipality code.' }) municipalityCode: string;
  @NotPersonal({ type: () => StatisticsTableRefView, isArray: true, description: 'The table (scope `table`), or every table in the municipality.' })
  tables: StatisticsTableRefView[];
  @NotPersonal({ type: () => StatisticsPeriodView }) period: StatisticsPeriodView;
  @NotPersonal({ type: () => CaseFiguresView }) cases: CaseFiguresView;
  @NotPersonal({ type: () => IncidentFiguresView }) incidents: IncidentFiguresView;
  @NotPersonal({ type: () => MeasureFiguresView }) measures: MeasureFiguresView;
  @NotPersonal({ type: () => EscalationFiguresView }) escalations: EscalationFiguresView;
  @NotPersonal({ type: () => IndPriorityFiguresView }) indPriority: IndPriorityFiguresView;
  @NotPersonal({ type: () => ActionFiguresView }) actions: ActionFiguresView;
  @NotPersonal({ type: () => MedianFiguresView }) medians: MedianFiguresView;
  @NotPersonal({ type: () => DisclosureControlView }) disclosureControl: DisclosureControlView;
}

export const DISCLOSURE_CONTROL: DisclosureControlView = {
  roundedTo: 10,
  minimumPopulation: MIN_POPULATION,
  medianMinimumCases: MEDIAN_MIN_CASES,
  note: 'Further figures are suppressed (null) where the others would reveal that a "< 10" or suppressed figure is not zero (complementary suppression).',
};

export type StatisticsBody = Omit<StatisticsView, keyof StatisticsFigures> & StatisticsFigures;

/** The answer for a table (`tables`: that one) or a municipality (`tables`: all of its), as of `asOf`. */
export function statisticsBody(
  scope: 'table' | 'municipality',
  municipalityCode: string,
  tables: { id: string; name: string }[],
  quarter: Quarter,
  asOf: Date,
  figures: StatisticsFigures,
): StatisticsBody {
  return {
    scope,
    municipalityCode,
    tables: tables.map((t) => ({ id: t.id, name: t.name })),
    period: {
      quarter: quarter.code,
      from: quarter.from,
      through: quarter.through,
      timeZone: TIME_ZONE,
      asOf: asOf.toISOString(),
      complete: quarter.until <= amsterdamDate(asOf),
    },
    ...figures,
    disclosureControl: DISCLOSURE_CONTROL,
  };
}
