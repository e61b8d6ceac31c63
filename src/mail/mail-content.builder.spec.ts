import { NotificationKind } from '../notifications/notification-kind';
import { composeMail, MailContent } from './mail-content.builder';

const base: MailContent = {
  kind: NotificationKind.ActionDueSoon,
  tableName: 'LKO Harderwijk',
  caseReference: 'HWK-2026-0001',
  resourceType: 'action',
  dueDate: '2026-03-04',
  link: '/api/v1/actions/3f0c2f7e-7a35-4a53-9c38-8f5c9a4a6f11',
};

describe('the e-mail text', () => {
  it('names the kind, table, case reference, due date and link, in Dutch and then in English', () => {
    // Monday 2 March 2026: Wednesday is two working days on.
    const sut = composeMail(base, '2026-03-02', 'https://ketentafel.example.nl');
    expect(sut.subject).toBe('[Ketentafel] Afspraak verloopt over 2 werkdagen – HWK-2026-0001');
    expect(sut.text).toBe(
      [
        'Er is een nieuwe melding voor u in Ketentafel.',
        '',
        '  Melding:        Afspraak verloopt over 2 werkdagen',
        '  Tafel:          LKO Harderwijk',
        '  Casus:          HWK-2026-0001',
        '  Uiterste datum: 04-03-2026',
        '  Openen:         https://ketentafel.example.nl/api/v1/actions/3f0c2f7e-7a35-4a53-9c38-8f5c9a4a6f11',
        '',
        'Dit bericht bevat bewust geen persoonsgegevens. Meld u aan bij Ketentafel om de melding te bekijken.',
        'Dit is een automatisch bericht; antwoorden worden niet gelezen.',
        '',
        '-'.repeat(72),
        'English',
        '',
        'You have a new notification in Ketentafel.',
        '',
        '  Notice:   Action due in 2 working days',
        '  Table:    LKO Harderwijk',
        '  Case:     HWK-2026-0001',
        '  Due date: 2026-03-04',
        '  Open:     https://ketentafel.example.nl/api/v1/actions/3f0c2f7e-7a35-4a53-9c38-8f5c9a4a6f11',
        '',
        'This message deliberately holds no personal data. Sign in to Ketentafel to view the notification.',
        'This is an automated message; replies are not read.',
        '',
      ].join('\n'),
    );
  });

  it('counts working days across a weekend, says "vandaag" on the day, and uses the label once the date has passed', () => {
    const escalation = { ...base, kind: NotificationKind.EscalationResponseDue, resourceType: 'escalation' as const, dueDate: '2026-03-09' };
    expect(composeMail(escalation, '2026-03-06', 'https://k.nl').subject).toBe('[Ketentafel] Reactietermijn opschaling verloopt over 1 werkdag – HWK-2026-0001');
    expect(composeMail(escalation, '2026-03-06', 'https://k.nl').text).toContain('  Reactie uiterlijk: 09-03-2026');
    expect(composeMail(escalation, '2026-03-09', 'https://k.nl').subject).toBe('[Ketentafel] Reactietermijn opschaling verloopt vandaag – HWK-2026-0001');
    expect(composeMail(escalation, '2026-03-10', 'https://k.nl').subject).toBe('[Ketentafel] Reactietermijn opschaling verloopt binnenkort – HWK-2026-0001');
  });

  it('leaves out what a notice does not have: a meeting has no case and no due date', () => {
    const agenda = { ...base, kind: NotificationKind.AgendaPublished, caseReference: null, resourceType: 'meeting' as const, dueDate: null, link: '/api/v1/meetings/1/agenda' };
    const sut = composeMail(agenda, '2026-03-02', 'https://k.nl');
    expect(sut.subject).toBe('[Ketentafel] Agenda gepubliceerd – LKO Harderwijk');
    expect(sut.text).not.toMatch(/Casus|Uiterste|Case:|Due date/);
    const bare = composeMail({ ...agenda, kind: NotificationKind.WebhookDeliveryFailed, tableName: null, link: null }, '2026-03-02', 'https://k.nl');
    expect(bare.subject).toBe('[Ketentafel] Bericht aan uw koppeling kon niet worden afgeleverd');
    expect(bare.text).not.toMatch(/Tafel|Openen/);
  });
});
