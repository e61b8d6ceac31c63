import pdfmake from 'pdfmake';
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import {
  ACTION_STATUS_LABELS,
  agendaReasonLabel,
  CASE_STATUS_LABELS,
  CATEGORY_LABELS,
  DEADLINE_KIND_LABELS,
  dutchDate,
  ESCALATION_STATUS_LABELS,
  ESCALATION_TRACK_LABELS,
  INCIDENT_CLASSIFICATION_LABELS,
  INCIDENT_KIND_LABELS,
  ITEM_OUTCOME_LABELS,
  label,
  LIST_KIND_LABELS,
  MEASURE_STATUS_LABELS,
  measureTypeLabel,
  MEETING_STATUS_LABELS,
  ORGANISATION_TYPE_LABELS,
  REVIEW_OUTCOME_LABELS,
  RISK_LEVEL_LABELS,
  SEVERITY_LABELS,
  STRATEGY_KIND_LABELS,
  VICTIM_KIND_LABELS,
  AGENDA_REASON_LABELS,
} from '../common/labels';
import { TIME_ZONE } from '../common/working-days';
import type { AccessExportView } from './privacy.dto';
import type { ExportedCase, ExportedProcessing, ExportedSubject } from './subject-export.repository';

/**
 * The access export (art. 15 AVG) as a Dutch document for the person who asked: every code printed as its
 * label (src/common/labels.ts), dates in Europe/Amsterdam. Rendered from the same export as the JSON, so it
 * holds nothing the JSON does not. Standard PDF fonts, uncompressed (searchable and testable), as the minutes.
 */

const FONTS = { Helvetica: { normal: 'Helvetica', bold: 'Helvetica-Bold', italics: 'Helvetica-Oblique', bolditalics: 'Helvetica-BoldOblique' } };
const STANDARD_FONTS = new Set(Object.values(FONTS.Helvetica));

const IND_OUTCOME_LABELS: Record<string, string> = { negative: 'afwijzing', positive: 'inwilliging' };
const NOMINATION_SOURCE_LABELS: Record<string, string> = { member: 'door een lid', list: 'via een lijst' };
const REQUEST_KIND_LABELS: Record<string, string> = {
  access: 'inzage',
  rectification: 'rectificatie',
  restriction: 'beperking van de verwerking',
  lifting: 'opheffing van de beperking',
  erasure: 'wissing',
};
const STATUS_LABELS: Record<string, string> = { ok: 'uitgevoerd', error: 'mislukt', denied: 'geweigerd' };
const ACTOR_LABELS: Record<string, string> = { user: 'medewerker', client: 'partnersysteem', system: 'het systeem zelf' };

/** Every operation the processing log records about a person, as a Dutch phrase. */
const OPERATION_LABELS: Record<string, string> = {
  'case.create': 'Casus geopend',
  'case.read': 'Casus ingezien',
  'case.list': 'Casussen ingezien in een overzicht',
  'case.update': 'Casus gewijzigd',
  'case.status_change': 'Status van de casus gewijzigd',
  'case.transfer': 'Casus overgedragen aan een andere tafel',
  'case.strategy.create': 'Strategie vastgelegd',
  'case.strategy.read': 'Strategie ingezien',
  'case.deadline.create': 'Termijn vastgelegd',
  'case.deadline.delete': 'Termijn verwijderd',
  'case.erase_by_retention': 'Gewist na afloop van de bewaartermijn',
  'subject.search': 'Gezocht op V-nummer',
  'incident.create': 'Incident vastgelegd',
  'incident.create.repeat': 'Incident opnieuw aangeleverd (herhaald bericht)',
  'incident.list': 'Incidenten ingezien',
  'incident.read': 'Incident ingezien',
  'measure.create': 'Maatregel vastgelegd',
  'measure.list': 'Maatregelen ingezien',
  'measure.update': 'Maatregel gewijzigd',
  'ind_decision.record': 'Beslissing van de IND vastgelegd',
  'ind_decision.record.repeat': 'Beslissing van de IND opnieuw aangeleverd (herhaald bericht)',
  'ind_decision.list': 'Beslissingen van de IND ingezien',
  'action.create': 'Afspraak vastgelegd',
  'action.create_by_chain_automation': 'Afspraak automatisch aangemaakt (ketenafspraak)',
  'action.list': 'Afspraken ingezien in een overzicht',
  'action.read': 'Afspraak ingezien',
  'action.complete': 'Afspraak als uitgevoerd gemeld',
  'action.complete.repeat': 'Afspraak als uitgevoerd gemeld (herhaald bericht)',
  'action.replan_request': 'Om herplanning van een afspraak gevraagd',
  'action.review': 'Afspraak besproken in het overleg',
  'escalation.propose': 'Opschaling voorgesteld',
  'escalation.propose_by_rule': 'Opschaling voorgesteld volgens een regel van de tafel',
  'escalation.list': 'Opschalingen ingezien',
  'escalation.list_for_target': 'Opschalingen ingezien door de ontvangende organisatie',
  'escalation.read': 'Opschaling ingezien',
  'escalation.request': 'Opschaling aangevraagd',
  'escalation.withdraw': 'Opschaling ingetrokken',
  'escalation.accept': 'Opschaling geaccepteerd',
  'escalation.reject': 'Opschaling afgewezen',
  'escalation.complete': 'Opschaling afgerond',
  'nomination.create': 'Aangemeld voor het overleg',
  'nomination.list': 'Aanmeldingen ingezien',
  'list.import': 'Lijst van een ketenpartner verwerkt',
  'list.import.repeat': 'Lijst van een ketenpartner opnieuw aangeleverd',
  'agenda.draft': 'Conceptagenda opgesteld',
  'agenda.draft_by_schedule': 'Conceptagenda volgens planning opgesteld',
  'agenda.publish': 'Agenda gepubliceerd',
  'agenda.read': 'Agenda ingezien',
  'agenda_item.create': 'Op de agenda gezet',
  'agenda_item.update': 'Agendapunt gewijzigd',
  'agenda_item.delete': 'Van de agenda gehaald',
  'agenda_item.decide': 'Besluit van het overleg vastgelegd',
  'session.read': 'Vergadering gevolgd',
  'meeting.close': 'Notulen vastgesteld',
  'minutes.read': 'Notulen ingezien',
  'minutes.export_pdf': 'Notulen als PDF opgevraagd',
  'minutes.addendum.create': 'Notulen aangevuld',
  'worklist.read': 'Werklijst van de voorzitter ingezien',
  'calendar_feed.read': 'In een agendakoppeling getoond',
  'mail.send': 'E-mailbericht verstuurd (zonder persoonsgegevens)',
  'webhook.send': 'Bericht aan het systeem van een ketenpartner verstuurd',
  'log.search': 'Verwerkingslogboek doorzocht',
  'legal_hold.set': 'Bewaarplicht (legal hold) ingesteld',
  'legal_hold.lift': 'Bewaarplicht (legal hold) opgeheven',
  'data_subject_request.access': 'Inzageverzoek behandeld',
  'data_subject_request.rectification': 'Gegevens gerectificeerd op verzoek',
  'data_subject_request.restriction': 'Verwerking beperkt op verzoek',
  'data_subject_request.lifting': 'Beperking van de verwerking opgeheven',
  'data_subject_request.erasure': 'Gewist op verzoek',
};

/** An operation name as a Dutch phrase; one added later without a label reads as a processing, with its name. */
export const operationLabel = (operation: string): string => OPERATION_LABELS[operation] ?? `Verwerking (${operation})`;

const dateTime = (value: string | Date | null | undefined, withTime = true): string =>
  value
    ? new Intl.DateTimeFormat('nl-NL', {
        timeZone: TIME_ZONE,
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
        ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
      }).format(new Date(value))
    : '';
/** A date column (`YYYY-MM-DD`, possibly as a timestamp string from JSON) as dd-mm-yyyy. */
const day = (value: string | null | undefined): string => (value ? dutchDate(String(value).slice(0, 10)) : '');
const yesNo = (v: boolean) => (v ? 'ja' : 'nee');
const text = (v: string | null | undefined) => v ?? '';

function table(headers: string[], rows: TableCell[][], widths?: (string | number)[]): Content {
  if (!rows.length) return { text: 'Geen.', italics: true, margin: [0, 0, 0, 4] };
  return {
    table: { headerRows: 1, widths: widths ?? headers.map(() => '*'), body: [headers.map((h) => ({ text: h, bold: true })), ...rows] },
    layout: 'lightHorizontalLines',
    fontSize: 8,
    margin: [0, 0, 0, 6],
  };
}

const pairs = (rows: [string, string][]): Content => ({
  table: { widths: [150, '*'], body: rows.map(([k, v]) => [{ text: k, bold: true }, v]) },
  layout: 'noBorders',
  margin: [0, 0, 0, 6],
});

function subjectSection(s: ExportedSubject): Content[] {
  return [
    { text: 'Persoonsgegevens', style: 'heading' },
    pairs([
      ['V-nummer', s.vNumber],
      ['Achternaam', text(s.familyName)],
      ['Voornamen', text(s.givenNames)],
      ['Geboortedatum', day(s.dateOfBirth)],
      ['Nationaliteit (ISO 3166)', text(s.nationality)],
      ['Opvanglocatie', text(s.receptionLocation)],
      ['Verwerking beperkt sinds', s.restrictedAt ? dateTime(s.restrictedAt) : 'niet beperkt'],
      ['Vastgelegd sinds', dateTime(s.createdAt)],
    ]),
  ];
}

function caseSection(c: ExportedCase): Content[] {
  const label2 = (title: string) => ({ text: title, style: 'label' }) as Content;
  return [
    { text: `Casus ${c.reference} — ${c.table.name}`, style: 'item' },
    pairs([
      ['Status', label(CASE_STATUS_LABELS, c.status)],
      ['Risico', label(RISK_LEVEL_LABELS, c.riskLevel)],
      ['Geopend', dateTime(c.openedAt)],
      ['Gesloten', dateTime(c.closedAt)],
      ['Evaluatiedatum', day(c.reviewDate)],
      ['Procedurefase', text(c.procedureStage)],
      ['Voorrang IND', yesNo(c.indPriority)],
      ['Zorg en kwetsbaarheid', text(c.careNotes)],
      ['Coördinerende organisatie', c.coordinatorOrganisation?.name ?? ''],
      ...(c.erasedAt ? ([['Persoonsgegevens gewist', dateTime(c.erasedAt)]] as [string, string][]) : []),
    ]),
    label2('Statusgeschiedenis'),
    table(['Datum', 'Van', 'Naar', 'Reden'], c.statusHistory.map((h) => [dateTime(h.changedAt), label(CASE_STATUS_LABELS, h.fromStatus), label(CASE_STATUS_LABELS, h.toStatus), text(h.reason)])),
    label2('Overplaatsingen naar een andere tafel'),
    table(['Datum', 'Van', 'Naar', 'Reden'], c.transfers.map((x) => [dateTime(x.transferredAt), x.fromTable.name, x.toTable.name, text(x.reason)])),
    label2('Strategie (alle versies)'),
    table(['Versie', 'Soort', 'Tekst', 'Datum'], c.strategies.map((s) => [String(s.revision), label(STRATEGY_KIND_LABELS, s.kind), s.text, dateTime(s.createdAt)]), [40, 70, '*', 80]),
    label2('Termijnen'),
    table(['Soort', 'Datum', 'Toelichting'], c.deadlines.map((d) => [label(DEADLINE_KIND_LABELS, d.kind), day(d.dueDate), text(d.note)])),
    label2('Incidenten'),
    table(
      ['Datum', 'Soort', 'Aard', 'Ernst', 'Plaats', 'Omschrijving', 'Aangifte', 'Slachtoffer', 'Gemeld door'],
      c.incidents.map((i) => [
        dateTime(i.occurredAt),
        label(INCIDENT_KIND_LABELS, i.kind),
        label(INCIDENT_CLASSIFICATION_LABELS, i.classification),
        label(SEVERITY_LABELS, i.severity),
        text(i.place),
        text(i.description),
        yesNo(i.reportedToPolice),
        label(VICTIM_KIND_LABELS, i.victimKind),
        i.sourceOrganisation.name,
      ]),
      [55, 45, 40, 35, 50, '*', 30, 45, 55],
    ),
    label2('Maatregelen'),
    table(
      ['Maatregel', 'Opgelegd door', 'Grondslag', 'Vanaf', 'Tot', 'Status', 'Toelichting'],
      c.measures.map((x) => [measureTypeLabel(x.type), x.imposingOrganisation.name, x.legalBasis, dateTime(x.startsAt, false), dateTime(x.endsAt, false), label(MEASURE_STATUS_LABELS, x.status), text(x.note)]),
    ),
    label2('Beslissingen van de IND'),
    table(['Beslist op', 'Beslissing', 'Vastgelegd door'], c.indDecisions.map((d) => [day(d.decidedOn), label(IND_OUTCOME_LABELS, d.outcome), d.recordedByOrganisation.name])),
    label2('Afspraken (welke actie door wie)'),
    table(
      ['Eigenaar', 'Actie', 'Uiterlijk', 'Status', 'Resultaat', 'Besproken'],
      c.actions.map((a) => [
        a.ownerOrganisation.name,
        a.description,
        day(a.dueDate),
        label(ACTION_STATUS_LABELS, a.status),
        text(a.resultNote),
        a.reviews.map((r) => `${dateTime(r.createdAt, false)}: ${label(REVIEW_OUTCOME_LABELS, r.outcome)}${r.reason ? ` (${r.reason})` : ''}`).join('; '),
      ]),
    ),
    label2('Opschalingen'),
    table(
      ['Spoor', 'Aan', 'Status', 'Reden', 'Reactie uiterlijk', 'Verloop'],
      c.escalations.map((e) => [
        label(ESCALATION_TRACK_LABELS, e.track),
        label(ORGANISATION_TYPE_LABELS, e.targetOrganisationType),
        label(ESCALATION_STATUS_LABELS, e.status),
        text(e.reason),
        day(e.responseDueDate),
        e.events.map((v) => `${dateTime(v.at, false)}: ${label(ESCALATION_STATUS_LABELS, v.toStatus)} (${v.reason})`).join('; '),
      ]),
    ),
    label2('Aanmeldingen voor het overleg'),
    table(
      ['Datum', 'Reden', 'Toelichting', 'Aangemeld', 'Organisatie'],
      c.nominations.map((n) => [
        dateTime(n.createdAt),
        Object.hasOwn(LIST_KIND_LABELS, n.reasonCode) ? label(LIST_KIND_LABELS, n.reasonCode) : label(AGENDA_REASON_LABELS, n.reasonCode),
        text(n.reasonText),
        label(NOMINATION_SOURCE_LABELS, n.source),
        n.organisation.name,
      ]),
    ),
    label2('Besproken in het casusoverleg'),
    table(
      ['Bijeenkomst', 'Tafel', 'Redenen', 'Besluit', 'Uitkomst', 'Aanvullingen'],
      c.agendaItems.map((i) => [
        `${dateTime(i.meeting.scheduledAt)} (${label(MEETING_STATUS_LABELS, i.meeting.status)})`,
        i.meeting.table.name,
        i.reasons.map((r) => agendaReasonLabel(r)).join('; '),
        text(i.decisionText),
        label(ITEM_OUTCOME_LABELS, i.outcome),
        i.addenda.map((a) => `${dateTime(a.createdAt, false)}: ${a.text}`).join('; '),
      ]),
    ),
    label2('Bewaarplichten (legal hold)'),
    table(['Reden', 'Tot en met', 'Ingesteld', 'Opgeheven'], c.legalHolds.map((h) => [h.reason, day(h.endsOn), dateTime(h.setAt), h.liftedAt ? `${dateTime(h.liftedAt)}: ${text(h.liftReason)}` : ''])),
  ];
}

function processingSection(rows: ExportedProcessing[]): Content[] {
  return [
    { text: 'Wie uw gegevens verwerkte (verwerkingslogboek)', style: 'heading', pageBreak: 'before' },
    {
      text:
        'Elke inzage of wijziging van uw gegevens wordt vastgelegd: wanneer, welke handeling, door welke organisatie, en onder welke ' +
        'verwerkingsactiviteit van welk overleg. Namen van medewerkers staan niet in dit logboek.',
      margin: [0, 0, 0, 6],
    },
    table(
      ['Wanneer', 'Handeling', 'Organisatie', 'Verwerkingsactiviteit', 'Doel en grondslag', 'Resultaat'],
      rows.map((p) => [
        dateTime(p.startedAt),
        operationLabel(p.operation),
        p.organisation ? `${p.organisation.name} (${label(ORGANISATION_TYPE_LABELS, p.organisation.type)})${p.partnerSystem ? ', partnersysteem' : ''}` : label(ACTOR_LABELS, p.actorKind ?? 'system'),
        p.processingActivity ? `${p.table?.name ?? ''}: ${label(CATEGORY_LABELS, p.processingActivity.category)}` : 'buiten een overleg (functionaris gegevensbescherming)',
        [p.purpose, p.legalBasis].filter(Boolean).join(' — '),
        label(STATUS_LABELS, p.status),
      ]),
      [60, 80, 80, '*', '*', 40],
    ),
  ];
}

/** The PDF of an access export, generated at the Clock's `generatedAt`. */
export async function renderAccessExportPdf(x: AccessExportView, generatedAt: Date): Promise<Buffer> {
  const subject = x.subject as unknown as ExportedSubject | null;
  const cases = x.cases as unknown as ExportedCase[];
  const processing = x.processing as unknown as ExportedProcessing[];
  const requests = x.requests as unknown as { kind: string; reference: string; handledAt: string }[];
  const doc: TDocumentDefinitions = {
    compress: false,
    info: { title: `Inzage persoonsgegevens ${x.request.reference}`, creator: 'Ketentafel' },
    pageSize: 'A4',
    pageOrientation: 'landscape',
    pageMargins: [40, 50, 40, 60],
    defaultStyle: { font: 'Helvetica', fontSize: 9 },
    styles: {
      title: { fontSize: 16, bold: true, margin: [0, 0, 0, 4] },
      heading: { fontSize: 13, bold: true, margin: [0, 12, 0, 6] },
      item: { fontSize: 11, bold: true, margin: [0, 10, 0, 4] },
      label: { bold: true, margin: [0, 4, 0, 2] },
    },
    content: [
      { text: 'Inzage in uw persoonsgegevens (artikel 15 AVG)', style: 'title' },
      { text: `Verzoek ${x.request.reference}, behandeld op ${dateTime(x.request.handledAt)}` },
      {
        text:
          'Dit overzicht bevat alle gegevens die Ketentafel over u bewaart, bij elk casusoverleg (ook van vóór een overplaatsing), ' +
          'en uit het verwerkingslogboek wie die gegevens wanneer en waarvoor verwerkte.',
        margin: [0, 4, 0, 0],
      },
      ...(subject
        ? [...subjectSection(subject), { text: 'Casussen', style: 'heading' } as Content, ...(cases.length ? cases.flatMap(caseSection) : [{ text: 'Geen.', italics: true } as Content])]
        : [{ text: 'Bij dit V-nummer worden geen persoonsgegevens bewaard.', style: 'heading' } as Content]),
      ...processingSection(processing),
      { text: 'Eerdere verzoeken', style: 'heading' },
      table(['Behandeld', 'Soort verzoek', 'Kenmerk'], requests.map((r) => [dateTime(r.handledAt), label(REQUEST_KIND_LABELS, r.kind), r.reference])),
    ],
    footer: (page: number, pages: number) => ({
      margin: [40, 20, 40, 0],
      fontSize: 8,
      columns: [
        { text: `Gegenereerd ${dateTime(generatedAt)} — Vertrouwelijk — verzoek ${x.request.reference}` },
        { text: `Pagina ${page} van ${pages}`, alignment: 'right', width: 'auto' },
      ],
    }),
  };
  // pdfmake is a process-wide singleton: set what this document needs right before createPdf reads it.
  pdfmake.setFonts(FONTS);
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy((path) => STANDARD_FONTS.has(path));
  return pdfmake.createPdf(doc).getBuffer();
}
