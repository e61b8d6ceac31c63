import { INCIDENT_CLASSIFICATIONS, INCIDENT_KINDS } from '../cases/incident.entity';
import { MEASURE_TYPE_CODES } from '../cases/measure-catalogue';
import {
  ACTION_STATUS_LABELS,
  dutchDate,
  ESCALATION_STATUS_LABELS,
  ESCALATION_TRACK_LABELS,
  INCIDENT_CLASSIFICATION_LABELS,
  INCIDENT_KIND_LABELS,
  label,
  measureTypeLabel,
} from '../common/labels';
import { amsterdamDate } from '../common/working-days';
import { LESS_THAN_TEN, MEDIAN_MIN_CASES, type ShownCount } from './disclosure-control';
import { parseQuarter, quarterLabelNl } from './quarter';
import { ACTION_RESULTS, type ActionResult, ESCALATION_OUTCOMES, ESCALATION_TRACK_CODES, type EscalationOutcome } from './statistics-report';
import type { StatisticsBody } from './statistics-view';

/**
 * The statistics as CSV for a municipality's officials, to open in Excel with Dutch settings: UTF-8 with a
 * byte-order mark (else Excel reads it as Windows-1252), `;` between fields (Excel's separator where the
 * decimal separator is a comma), CRLF line ends, Dutch headers and Dutch labels instead of codes. One row
 * per figure ("long" form), so that it filters and pivots without rework. Counts are plain integers
 * (3020, which Excel reads as a number in any locale), `< 10` as text, and a suppressed figure `x`, as
 * CBS writes a confidential cell, with the reason in the last column.
 */
export const CSV_HEADER = ['Gemeente', 'Tafel', 'Periode', 'Peildatum', 'Onderwerp', 'Uitsplitsing', 'Waarde', 'Toelichting'] as const;

export const SUPPRESSED = 'x';
const SUPPRESSED_NOTE = 'Geheim: te herleidbaar tot personen (te weinig personen, of aanvullend onderdrukt)';
const WITHHELD_NOTE = `Niet getoond: minder dan ${MEDIAN_MIN_CASES} casussen`;

export const ESCALATION_OUTCOME_LABELS: Record<EscalationOutcome, string> = {
  requested: 'aangevraagd, nog geen antwoord',
  accepted: label(ESCALATION_STATUS_LABELS, 'accepted'),
  rejected: label(ESCALATION_STATUS_LABELS, 'rejected'),
  completed: label(ESCALATION_STATUS_LABELS, 'completed'),
  withdrawn: label(ESCALATION_STATUS_LABELS, 'withdrawn'),
};

export const ACTION_RESULT_LABELS: Record<ActionResult, string> = {
  completed_on_time: 'op tijd uitgevoerd',
  completed_late: 'te laat uitgevoerd',
  cancelled: label(ACTION_STATUS_LABELS, 'cancelled'),
  open: 'nog open',
};

/** A field as Excel reads it safely: quoted when needed, and never a formula (a leading = + - @ gets a quote). */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const countValue = (c: ShownCount): [string, string] => (c === null ? [SUPPRESSED, SUPPRESSED_NOTE] : [c === LESS_THAN_TEN ? LESS_THAN_TEN : String(c), '']);
const medianValue = (m: number | null): [string, string] => (m === null ? [SUPPRESSED, WITHHELD_NOTE] : [String(m), '']);

export function statisticsCsv(body: StatisticsBody): string {
  const quarter = parseQuarter(body.period.quarter)!;
  const table = body.scope === 'table' ? body.tables[0].name : `Alle tafels in de gemeente: ${body.tables.map((t) => t.name).join(', ')}`;
  const asOf = dutchDate(amsterdamDate(new Date(body.period.asOf)));
  const rows: string[][] = [];
  const row = (subject: string, breakdown: string, [value, note]: [string, string]) =>
    rows.push([body.municipalityCode, table, quarterLabelNl(quarter), asOf, subject, breakdown, value, note]);

  row('Casussen geopend', '', countValue(body.cases.opened));
  row('Casussen afgesloten', '', countValue(body.cases.closed));
  row('Incidenten', 'totaal', countValue(body.incidents.total));
  for (const k of INCIDENT_KINDS) row('Incidenten naar soort', label(INCIDENT_KIND_LABELS, k), countValue(body.incidents.byKind[k]));
  for (const c of INCIDENT_CLASSIFICATIONS) row('Incidenten naar aard', label(INCIDENT_CLASSIFICATION_LABELS, c), countValue(body.incidents.byClassification[c]));
  row('Maatregelen', 'totaal', countValue(body.measures.total));
  for (const t of MEASURE_TYPE_CODES) row('Maatregelen naar soort', measureTypeLabel(t), countValue(body.measures.byType[t]));
  row('Opschalingen', 'totaal', countValue(body.escalations.total));
  for (const t of ESCALATION_TRACK_CODES) row('Opschalingen naar spoor', label(ESCALATION_TRACK_LABELS, t), countValue(body.escalations.byTrack[t].total));
  for (const t of ESCALATION_TRACK_CODES) {
    for (const o of ESCALATION_OUTCOMES) {
      row(`Opschalingen ${label(ESCALATION_TRACK_LABELS, t)} naar uitkomst`, ESCALATION_OUTCOME_LABELS[o], countValue(body.escalations.byTrack[t].byOutcome[o]));
    }
  }
  row('Voorrang IND', 'aangevraagd', countValue(body.indPriority.requested));
  row('Voorrang IND', 'waarvan beslist', countValue(body.indPriority.decided));
  row('Afspraken met vervaldatum in de periode', 'totaal', countValue(body.actions.due));
  for (const r of ACTION_RESULTS) row('Afspraken naar resultaat', ACTION_RESULT_LABELS[r], countValue(body.actions.byResult[r]));
  row('Afspraken niet uitgevoerd', 'bij bespreking als niet uitgevoerd gemeld', countValue(body.actions.notActedOn));
  row('Mediaan dagen van opening tot eerste maatregel', '', medianValue(body.medians.daysToFirstMeasure));
  row('Mediaan dagen van opening tot afsluiting', '', medianValue(body.medians.daysToClose));

  return `\uFEFF${[[...CSV_HEADER], ...rows].map((r) => r.map(csvField).join(';')).join('\r\n')}\r\n`;
}
