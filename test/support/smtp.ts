import { simpleParser, ParsedMail } from 'mailparser';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * How the SMTP server behaves now:
 * - `accept`: takes every message;
 * - `reject` / `tempfail`: answers 550 / 451 to RCPT TO;
 * - `stall`: greets and takes the message, but never answers its end (a server that hangs mid-conversation);
 * - `hang`: accepts the TCP connection and never greets;
 * - `down`: nothing listens on the port (connection refused).
 */
export type SmtpMode = 'accept' | 'reject' | 'tempfail' | 'stall' | 'hang' | 'down';

export interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`: the same in every mode, so one app's SMTP_URL reaches it throughout. */
  url: string;
  received: ReceivedMail[];
  setMode(mode: SmtpMode): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback (smtp-server, plain text, authentication optional, on port 0) behind a TCP
 * front on a fixed port. Each mode change drops every open connection, so a client's pooled connections
 * meet the new behaviour at once.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  let mode: SmtpMode = 'accept';
  const received: ReceivedMail[] = [];
  const refuse = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (mode === 'reject') return callback(refuse(550, 'Mailbox unavailable'));
      if (mode === 'tempfail') return callback(refuse(451, 'Try again later'));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (mode === 'stall') return;
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw, parsed }))
          .finally(() => callback());
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const front: Server = createServer((client) => {
    track(client);
    if (mode === 'hang') return;
    const upstream = connect(smtpPort, '127.0.0.1');
    track(upstream);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => front.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  await listen(0);
  const port = (front.address() as AddressInfo).port;
  const dropAll = () => {
    for (const s of sockets) s.destroy();
  };

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async setMode(next) {
      const wasDown = mode === 'down';
      mode = next;
      dropAll();
      if (next === 'down' && !wasDown) await new Promise<void>((resolve) => front.close(() => resolve()));
      if (next !== 'down' && wasDown) await listen(port);
    },
    async close() {
      dropAll();
      if (mode !== 'down') await new Promise<void>((resolve) => front.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
