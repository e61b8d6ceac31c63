/**
 * For the demo (README, "Between meetings in the demo"): an SMTP server on 127.0.0.1:2525 and a webhook
 * receiver on 127.0.0.1:4000 that print what Ketentafel sends them. Start it before `npm start` with
 * `SMTP_URL=smtp://127.0.0.1:2525`; pass the webhook secret you were shown as WEBHOOK_SECRET to have each
 * signature verified.
 *
 *   npm run demo:sinks                      # MAIL_PORT=2525 WEBHOOK_PORT=4000
 */
import { startMailSink, startWebhookSink } from './sinks';

async function main(): Promise<void> {
  const mail = await startMailSink(Number(process.env.MAIL_PORT ?? 2525), (raw) => {
    const [folded, ...body] = raw.split(/\r?\n\r?\n/);
    const head = folded.replace(/\r?\n[ \t]+/g, ' ');
    const pick = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] ?? '';
    const subject = pick('Subject')
      .replace(/\?=\s+=\?/g, '?==?')
      .replace(/=\?utf-8\?[BQ]\?.*?\?=/gi, (w) => decodeWord(w));
    console.log(`\n[e-mail] to ${pick('To')}: ${subject}\n${decodeBody(body.join('\n\n'), head).trim()}\n`);
  });
  const hooks = await startWebhookSink(Number(process.env.WEBHOOK_PORT ?? 4000), (body, verified) => {
    const signature = verified === null ? 'signature not checked (set WEBHOOK_SECRET)' : verified ? 'signature verified' : 'SIGNATURE INVALID';
    console.log(`\n[webhook] ${signature}\n${JSON.stringify(JSON.parse(body), null, 2)}\n`);
  });
  if (process.env.WEBHOOK_SECRET) hooks.setSecret(process.env.WEBHOOK_SECRET);
  console.log(`SMTP server: ${mail.url}\nwebhook receiver: ${hooks.url}\n(Ctrl-C to stop)`);
  const stop = async () => {
    await Promise.all([mail.close(), hooks.close()]);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** An RFC 2047 encoded word (Nodemailer encodes a subject with non-ASCII characters). */
function decodeWord(word: string): string {
  const [, , encoding, text] = word.split('?');
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
  return decodeQuotedPrintable(text.replace(/_/g, ' '));
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function decodeBody(body: string, head: string): string {
  if (/Content-Transfer-Encoding:\s*quoted-printable/i.test(head)) return decodeQuotedPrintable(body);
  if (/Content-Transfer-Encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
