import pdfmake from 'pdfmake';
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces';
import {
  agendaReasonLabel,
  dutchDate as date,
  ESCALATION_STATUS_LABELS,
  ESCALATION_TRACK_LABELS,
  ITEM_OUTCOME_LABELS,
  label,
  measureTypeLabel,
  ORGANISATION_TYPE_LABELS,
  REVIEW_OUTCOME_LABELS,
  STRATEGY_KIND_LABELS,
} from '../../common/labels';
import { TIME_ZONE } from '../../common/working-days';
import type { MinutesItemView, MinutesView } from './minutes-view';

/**
 * The archival PDF of the minutes, rendered from a view that was already disclosed for one viewer: it can
 * show nothing the JSON of that viewer does not. Standard PDF fonts (no font files), uncompressed so that
 * the text is searchable and testable. A Dutch document: every code is printed as its label from
 * `common/labels.ts`, never as the code.
 */

// The standard PDF fonts need no files; the policies refuse every other local file and every URL.
const FONTS = { Helvetica: { normal: 'Helvetica', bold: 'Helvetica-Bold', italics: 'Helvetica-Oblique', bolditalics: 'Helvetica-BoldOblique' } };
const STANDARD_FONTS = new Set(Object.values(FONTS.Helvetica));

const dateTime = (iso: string, withTime = true) =>
  new Intl.DateTimeFormat('nl-NL', {
    timeZone: TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
  }).format(new Date(iso));

function attendance(view: Partial<MinutesView>): Content {
  const rows = (view.attendance ?? []).map((a) => [
    a.organisationName ?? '',
    label(ORGANISATION_TYPE_LABELS, a.organisationType),
    a.present === null || a.present === undefined ? 'niet geregistreerd' : a.present ? 'aanwezig' : 'afwezig',
    a.note ?? '',
  ]);
  return {
    table: { headerRows: 1, widths: ['*', 'auto', 'auto', '*'], body: [['Organisatie', 'Type', 'Aanwezigheid', 'Opmerking'].map((h) => ({ text: h, bold: true })), ...rows] },
    layout: 'lightHorizontalLines',
  };
}

function itemTitle(i: Partial<MinutesItemView>): string {
  if (!i.case) return `${i.position}. ${i.topic ?? 'Onderwerp'}`;
  if (i.case.restricted) return `${i.position}. Casus ${i.case.reference} — verwerking beperkt (art. 18 AVG)`;
  const s = i.case.subject;
  if (s?.erasedAt) return `${i.position}. Casus ${i.case.reference} — betrokkene gewist`;
  const person = s && [s.familyName && `${s.familyName}${s.givenNames ? `, ${s.givenNames}` : ''}`, s.vNumber && `V-nummer ${s.vNumber}`].filter(Boolean).join(' — ');
  return `${i.position}. Casus ${i.case.reference}${person ? ` — ${person}` : ''}`;
}

function item(i: Partial<MinutesItemView>): Content[] {
  const out: Content[] = [{ text: itemTitle(i), style: 'item' }];
  const s = i.case?.subject;
  if (s && (s.dateOfBirth || s.nationality)) out.push({ text: [s.dateOfBirth && `Geboren ${date(s.dateOfBirth)}`, s.nationality && `nationaliteit ${s.nationality}`].filter(Boolean).join(', ') });
  if (i.case?.procedureStage) out.push({ text: `Procedurefase: ${i.case.procedureStage}` });
  if (i.reasons?.length) {
    out.push({ text: 'Redenen', style: 'label' }, { ul: i.reasons.map((r) => agendaReasonLabel(r)) });
  }
  if (i.decisionText) out.push({ text: 'Besluit', style: 'label' }, { text: i.decisionText });
  if (i.outcome) out.push({ text: `Uitkomst: ${label(ITEM_OUTCOME_LABELS, i.outcome)}` });
  if (i.strategy) {
    const kind = i.strategy.kind ? `${label(STRATEGY_KIND_LABELS, i.strategy.kind)}, ` : '';
    out.push({ text: `Strategie (${kind}revisie ${i.strategy.revision})`, style: 'label' }, { text: i.strategy.text ?? '' });
  }
  if (i.actions?.length) {
    out.push(
      { text: 'Afspraken (welke actie door wie)', style: 'label' },
      {
        table: {
          headerRows: 1,
          widths: ['auto', '*', 'auto'],
          body: [
            ['Eigenaar', 'Actie', 'Uiterlijk'].map((h) => ({ text: h, bold: true })),
            ...i.actions.map((a) => [a.ownerOrganisationName ?? '', a.description ?? '', a.dueDate ? date(a.dueDate) : '']),
          ],
        },
        layout: 'lightHorizontalLines',
      },
    );
  }
  if (i.actionReviews?.length) {
    out.push(
      { text: 'Besproken afspraken', style: 'label' },
      { ul: i.actionReviews.map((r) => `${r.actionDescription} — ${label(REVIEW_OUTCOME_LABELS, r.outcome)}${r.newDueDate ? `, nieuwe datum ${date(r.newDueDate)}` : ''}${r.reason ? ` (${r.reason})` : ''}`) },
    );
  }
  if (i.escalations?.length) {
    out.push({ text: 'Opschaling', style: 'label' }, { ul: i.escalations.map((e) => `${label(ESCALATION_TRACK_LABELS, e.track)} (${label(ESCALATION_STATUS_LABELS, e.status)})${e.reason ? `: ${e.reason}` : ''}`) });
  }
  if (i.measures?.length) {
    out.push(
      { text: 'Maatregelen', style: 'label' },
      { ul: i.measures.map((x) => `${measureTypeLabel(x.type ?? '')}, vanaf ${dateTime(x.startsAt!, false)}${x.endsAt ? ` tot ${dateTime(x.endsAt, false)}` : ''}${x.note ? `: ${x.note}` : ''}`) },
    );
  }
  return out;
}

function addenda(view: Partial<MinutesView>): Content[] {
  if (!view.addenda?.length) return [];
  const position = new Map((view.items ?? []).map((i) => [i.agendaItemId, i.position]));
  return [
    { text: 'Aanvullingen na vaststelling', style: 'heading' },
    ...view.addenda.map((a) => ({
      text: `${dateTime(a.createdAt!)}${a.agendaItemId ? ` (bij punt ${position.get(a.agendaItemId) ?? '?'})` : ''}: ${a.restricted ? '[verwerking beperkt]' : (a.text ?? '[niet zichtbaar voor uw organisatie]')}`,
      margin: [0, 0, 0, 4] as [number, number, number, number],
    })),
  ];
}

/** The PDF for one viewer (`organisationName` is the viewer's organisation, named in every footer), generated at the Clock's `generatedAt`. */
export async function renderMinutesPdf(view: Partial<MinutesView>, organisationName: string, generatedAt: Date): Promise<Buffer> {
  const doc: TDocumentDefinitions = {
    compress: false,
    info: { title: `Notulen ${view.tableName}`, creator: 'Ketentafel' },
    pageSize: 'A4',
    pageMargins: [40, 50, 40, 60],
    defaultStyle: { font: 'Helvetica', fontSize: 10 },
    styles: {
      title: { fontSize: 16, bold: true, margin: [0, 0, 0, 4] },
      heading: { fontSize: 13, bold: true, margin: [0, 12, 0, 6] },
      item: { fontSize: 11, bold: true, margin: [0, 10, 0, 2] },
      label: { bold: true, margin: [0, 4, 0, 1] },
    },
    content: [
      { text: `Notulen ${view.tableName}`, style: 'title' },
      { text: `Bijeenkomst van ${dateTime(view.scheduledAt!)}${view.location ? `, ${view.location}` : ''}` },
      { text: `Vastgesteld ${dateTime(view.closedAt!)}` },
      { text: 'Aanwezigheid', style: 'heading' },
      attendance(view),
      { text: 'Agenda en besluiten', style: 'heading', pageBreak: 'before' },
      ...(view.items?.length ? (view.items ?? []).flatMap(item) : [{ text: 'Geen agendapunten.' }]),
      ...addenda(view),
    ],
    footer: (page: number, pages: number) => ({
      margin: [40, 20, 40, 0],
      fontSize: 8,
      columns: [
        { text: `Gegenereerd ${dateTime(generatedAt.toISOString())} — Vertrouwelijk — weergave voor ${organisationName}` },
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
