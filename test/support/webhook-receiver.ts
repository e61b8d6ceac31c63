import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered: a status, or `hang` (it never answered). */
  answer: number | 'hang';
}

/** What the receiver answers to its n-th request (0-based): a status, or `hang` to keep the request open. */
export type Script = (n: number) => number | 'hang';

/**
 * A partner system's webhook endpoint on loopback (node:http), started by the test: it records every
 * POST with its headers and raw body and answers as its script says.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server?: Server;

  constructor(private script: Script = () => 204) {}

  /** Starts listening; returns the endpoint URL, with `path` (which may carry a query). */
  async start(path = '/hooks'): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = this.script(this.received.length);
        this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answer });
        if (answer === 'hang') return;
        res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  answer(script: Script): void {
    this.script = script;
  }

  /** The requests that carried this `webhook-id`. */
  of(id: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.headers['webhook-id'] === id);
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
