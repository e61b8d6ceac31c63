import { dutchDate, NOTIFICATION_KIND_LABELS } from '../common/labels';
import { workingDaysBetween } from '../common/working-days';
import { NotificationKind, NotificationResource } from '../notifications/notification-kind';

/**
 * What an e-mail may say, and all it can say: there is no field for anything of a person (no name, V-number,
 * date of birth, nationality, incident or free text), not even the recipient's name. Case details (table,
 * reference, due date, link) are only given when the recipient may still see them (MailRecipientPolicy).
 */
export interface MailContent {
  kind: NotificationKind;
  tableName: string | null;
  caseReference: string | null;
  resourceType: NotificationResource | null;
  /** `YYYY-MM-DD`, read when the e-mail is sent: the action's due date or the escalation's response deadline. */
  dueDate: string | null;
  /** The API path of the notification, e.g. `/api/v1/actions/<id>`. */
  link: string | null;
}

export interface ComposedMail {
  subject: string;
  text: string;
}

/** The English fallback, below the Dutch text (the code's language; Dutch labels live in common/labels.ts). */
const ENGLISH_KIND: Record<NotificationKind, string> = {
  [NotificationKind.ActionAssigned]: 'New action for your organisation',
  [NotificationKind.ActionAgreed]: 'Action agreed at the meeting',
  [NotificationKind.ActionCompleted]: 'Action completed',
  [NotificationKind.ActionDueSoon]: 'Action due soon',
  [NotificationKind.ActionOverdue]: 'Action overdue',
  [NotificationKind.ActionOverdueAlert]: 'Action overdue for some time',
  [NotificationKind.EscalationRequested]: 'Escalation requested of your organisation',
  [NotificationKind.EscalationResponseDue]: 'Escalation response due soon',
  [NotificationKind.EscalationResponseOverdue]: 'Escalation response deadline passed',
  [NotificationKind.AgendaDrafted]: 'Draft agenda prepared',
  [NotificationKind.AgendaPublished]: 'Agenda published',
  [NotificationKind.WebhookDeliveryFailed]: 'Message to your partner system could not be delivered',
};

/** Kinds whose headline counts the working days left ("Afspraak verloopt over 2 werkdagen"). */
const COUNTDOWN: Partial<Record<NotificationKind, { nl: string; en: string }>> = {
  [NotificationKind.ActionDueSoon]: { nl: 'Afspraak verloopt', en: 'Action due' },
  [NotificationKind.EscalationResponseDue]: { nl: 'Reactietermijn opschaling verloopt', en: 'Escalation response due' },
};

const DUE_LABEL: Partial<Record<NotificationResource, { nl: string; en: string }>> = {
  action: { nl: 'Uiterste datum', en: 'Due date' },
  escalation: { nl: 'Reactie uiterlijk', en: 'Response due' },
};

const RULE = '-'.repeat(72);

function headlines(c: MailContent, today: string): { nl: string; en: string } {
  const countdown = COUNTDOWN[c.kind];
  if (countdown && c.dueDate && c.dueDate >= today) {
    const n = workingDaysBetween(today, c.dueDate);
    if (n === 0) return { nl: `${countdown.nl} vandaag`, en: `${countdown.en} today` };
    return { nl: `${countdown.nl} over ${n} ${n === 1 ? 'werkdag' : 'werkdagen'}`, en: `${countdown.en} in ${n} working day${n === 1 ? '' : 's'}` };
  }
  return { nl: NOTIFICATION_KIND_LABELS[c.kind], en: ENGLISH_KIND[c.kind] };
}

/** Label-value lines, the values aligned. */
function fields(rows: [string, string | null][]): string {
  const shown = rows.filter((r): r is [string, string] => r[1] !== null);
  const width = Math.max(...shown.map(([label]) => label.length)) + 2;
  return shown.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${value}`).join('\n');
}

/**
 * The subject (Dutch) and the plain-text body: Dutch first, then an English section. `today` (Europe/Amsterdam)
 * counts the working days to a due date; `publicBaseUrl` makes the notification's path a link.
 */
export function composeMail(c: MailContent, today: string, publicBaseUrl: string): ComposedMail {
  const head = headlines(c, today);
  const link = c.link ? `${publicBaseUrl}${c.link}` : null;
  const due = c.dueDate && c.resourceType ? DUE_LABEL[c.resourceType] : undefined;
  const about = c.caseReference ?? c.tableName;
  const subject = `[Ketentafel] ${head.nl}${about ? ` – ${about}` : ''}`;
  const text = [
    'Er is een nieuwe melding voor u in Ketentafel.',
    '',
    fields([
      ['Melding', head.nl],
      ['Tafel', c.tableName],
      ['Casus', c.caseReference],
      [due?.nl ?? '', due && c.dueDate ? dutchDate(c.dueDate) : null],
      ['Openen', link],
    ]),
    '',
    'Dit bericht bevat bewust geen persoonsgegevens. Meld u aan bij Ketentafel om de melding te bekijken.',
    'Dit is een automatisch bericht; antwoorden worden niet gelezen.',
    '',
    RULE,
    'English',
    '',
    'You have a new notification in Ketentafel.',
    '',
    fields([
      ['Notice', head.en],
      ['Table', c.tableName],
      ['Case', c.caseReference],
      [due?.en ?? '', due && c.dueDate ? c.dueDate : null],
      ['Open', link],
    ]),
    '',
    'This message deliberately holds no personal data. Sign in to Ketentafel to view the notification.',
    'This is an automated message; replies are not read.',
    '',
  ].join('\n');
  return { subject, text };
}
