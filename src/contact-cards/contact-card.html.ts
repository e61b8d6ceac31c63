import { createHash } from 'node:crypto';
import { dutchDate } from '../common/labels';
import { amsterdamDate } from '../common/working-days';
import type { ContactCardView } from './contact-card.dto';

/**
 * The contact card as a page to print (A4, one column, black on white) or to show on a screen. Every
 * value is escaped: the card is public and its text is typed by a chair, so it must never become markup.
 * The stylesheet is fixed; the page's Content-Security-Policy allows exactly it (by hash) and nothing else.
 */
const CSS = `
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: Arial, Helvetica, sans-serif; font-size: 12pt; line-height: 1.4; color: #000; background: #fff; }
main { max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 22pt; margin: 0 0 3mm; }
.intro { margin: 0 0 5mm; }
.spoed { border: 2px solid #000; padding: 3mm 4mm; font-size: 14pt; margin: 0 0 6mm; }
.punten { list-style: none; margin: 0; padding: 0; }
.punt { border-top: 1px solid #000; padding: 3mm 0; break-inside: avoid; page-break-inside: avoid; }
.punt h2 { font-size: 14pt; margin: 0 0 1mm; }
.soort { display: inline-block; min-width: 28mm; font-weight: normal; text-transform: uppercase; font-size: 9pt; letter-spacing: 0.05em; }
.telefoon { font-size: 16pt; font-weight: bold; }
dl { margin: 0; display: grid; grid-template-columns: 28mm 1fr; gap: 1mm 3mm; }
dt { font-weight: bold; }
dd { margin: 0; }
.toelichting { margin: 1mm 0 0 31mm; }
footer { margin-top: 8mm; font-size: 9pt; }
a { color: #000; }
@media print { a { text-decoration: none; } main { padding: 0; } }
`;

/** The CSP source allowing exactly the stylesheet above. */
export const CONTACT_CARD_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

const row = (term: string, value: string | null, html = escapeHtml(value ?? '')) => (value ? `<dt>${term}</dt><dd>${html}</dd>` : '');

export function renderContactCardHtml(card: ContactCardView): string {
  const e = escapeHtml;
  const points = card.contactPoints
    .map((p) => {
      const phone = p.phone && p.phoneUri ? `<a class="telefoon" href="${e(p.phoneUri)}">${e(p.phone)}</a>` : undefined;
      const url = p.url ? `<a href="${e(p.url)}">${e(p.url.replace(/^https:\/\//, ''))}</a>` : undefined;
      return [
        `<li class="punt punt-${e(p.kind)}">`,
        `<h2><span class="soort">${e(p.kindLabel)}</span> ${e(p.serviceName)}</h2>`,
        `<dl>${row('Telefoon', p.phone, phone)}${row('Bereikbaar', p.openingHours)}${row('Website', p.url, url)}</dl>`,
        p.note ? `<p class="toelichting">${e(p.note)}</p>` : '',
        '</li>',
      ].join('');
    })
    .join('\n');
  const municipality = card.municipalityName ? `${e(card.municipalityName)} (${e(card.municipalityCode)})` : `gemeente ${e(card.municipalityCode)}`;
  return `<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(card.heading)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${e(card.heading)}</h1>
${card.introduction ? `<p class="intro">${e(card.introduction)}</p>` : ''}
<p class="spoed"><strong>Bij spoed of direct gevaar: bel 112.</strong></p>
<ul class="punten">
${points}
</ul>
<footer>
<p>Meldkaart van het casusoverleg in ${municipality}. Bijgewerkt op ${dutchDate(amsterdamDate(new Date(card.updatedAt)))}.</p>
</footer>
</main>
</body>
</html>
`;
}
