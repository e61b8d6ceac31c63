import { simpleParser } from 'mailparser';
import { plainMessage } from './mail-message';

describe('plainMessage', () => {
  it('builds a message any mail reader decodes to the same sender, subject, text and headers', async () => {
    const text = `Geachte ketenpartner,\n\nEr is een afspraak verlopen – zie de coördinatie van casus HWK-2026-0001.\n${'Een lange regel zonder einde '.repeat(8)}\n\nEnglish: an action is overdue.`;
    const { raw, envelope } = plainMessage({
      from: 'Ketentafel Gemeente Zoë <noreply@ketentafel.test>',
      to: 'ambtenaar@gemeente.test',
      subject: '[Ketentafel] Afspraak verlopen – HWK-2026-0001',
      text,
      messageId: '<abc@ketentafel.test>',
      date: new Date('2027-03-30T07:15:00Z'),
    });
    expect(envelope).toEqual({ from: 'noreply@ketentafel.test', to: ['ambtenaar@gemeente.test'] });
    expect(raw.split('\r\n').every((line) => line.length <= 78)).toBe(true);
    expect([...raw].every((ch) => ch.charCodeAt(0) < 128)).toBe(true);
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value).toEqual([{ name: 'Ketentafel Gemeente Zoë', address: 'noreply@ketentafel.test' }]);
    expect(parsed.subject).toBe('[Ketentafel] Afspraak verlopen – HWK-2026-0001');
    expect(parsed.text?.replace(/\r\n/g, '\n').trimEnd()).toBe(text);
    expect(parsed.messageId).toBe('<abc@ketentafel.test>');
    expect(parsed.date?.toISOString()).toBe('2027-03-30T07:15:00.000Z');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('quotes a plain sender name with special characters, and takes a bare address as it is', async () => {
    const quoted = plainMessage({ from: '"Ketentafel, Harderwijk" <a@b.test>', to: 'c@d.test', subject: 's', text: 't', messageId: '<m@b.test>', date: new Date(0) });
    expect((await simpleParser(quoted.raw)).from?.value).toEqual([{ name: 'Ketentafel, Harderwijk', address: 'a@b.test' }]);
    const bare = plainMessage({ from: 'a@b.test', to: 'c@d.test', subject: 's', text: 't', messageId: '<m@b.test>', date: new Date(0) });
    expect(bare.raw).toMatch(/^From: a@b\.test\r\n/);
  });
});
