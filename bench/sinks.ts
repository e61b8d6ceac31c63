/**
 * Receivers for what Ketentafel sends, on loopback: an SMTP server (smtp-server) and an HTTP endpoint for
 * webhooks. They count what arrives and how often the same message or delivery came twice (by Message-ID
 * and by `webhook-id`), and, when given the subscription's secret, verify each webhook signature with the
 * Standard Webhooks library. Used by the fan-out benchmark and by `npm run demo:sinks`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';

export interface Counter {
  received: number;
  distinct: number;
  duplicates: number;
  /** When the last one arrived (ms since the epoch), 0 before the first. */
  lastAt: number;
  firstAt: number;
}

const counter = (): Counter => ({ received: 0, distinct: 0, duplicates: 0, lastAt: 0, firstAt: 0 });

function count(c: Counter, seen: Set<string>, id: string): boolean {
  const now = Date.now();
  c.received += 1;
  c.firstAt ||= now;
  c.lastAt = now;
  if (seen.has(id)) {
    c.duplicates += 1;
    return false;
  }
  seen.add(id);
  c.distinct += 1;
  return true;
}

export interface MailSink {
  url: string;
  counter: Counter;
  close(): Promise<void>;
}

/** `onMessage` gets each new message's headers and text (the demo prints them; the benchmark only counts). */
export async function startMailSink(port = 0, onMessage?: (raw: string) => void): Promise<MailSink> {
  const c = counter();
  const seen = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Many pooled connections from the dispatchers; the default (a few hundred) is plenty, but say it.
    maxClients: 1000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const id = /^Message-ID:\s*(\S+)/im.exec(raw)?.[1] ?? raw;
        if (count(c, seen, id) && onMessage) onMessage(raw);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${address.port}`, counter: c, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface WebhookSink {
  url: string;
  counter: Counter;
  /** Signatures that did not verify (only counted once a secret is set). */
  badSignatures: number;
  setSecret(secret: string): void;
  close(): Promise<void>;
}

export async function startWebhookSink(port = 0, onEvent?: (body: string, verified: boolean | null) => void): Promise<WebhookSink> {
  const c = counter();
  const seen = new Set<string>();
  let verifier: Webhook | undefined;
  const sink: WebhookSink = {
    url: '',
    counter: c,
    badSignatures: 0,
    setSecret: (secret) => (verifier = new Webhook(secret)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified: boolean | null = null;
      if (verifier) {
        try {
          verifier.verify(body, req.headers as Record<string, string>);
          verified = true;
        } catch {
          verified = false;
          sink.badSignatures += 1;
        }
      }
      if (count(c, seen, String(req.headers['webhook-id'] ?? body)) && onEvent) onEvent(body, verified);
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ketentafel`;
  return sink;
}
