import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { AppConfig } from '../config/app-config';
import { plainMessage } from './mail-message';
import { classifySmtpFailure, SmtpFailure } from './mail-retry.policy';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
  /** The message's Date header: the Clock's now when it is sent. */
  date: Date;
}

export type SendResult = { ok: true } | ({ ok: false } & SmtpFailure);

type Transporter = ReturnType<typeof createTransport>;

/**
 * One pooled SMTP transport per worker process (Nodemailer), every wait bounded: connecting (DNS and the
 * greeting included) by MAIL_CONNECTION_TIMEOUT_MS and MAIL_GREETING_TIMEOUT_MS, a silent connection by
 * MAIL_SOCKET_TIMEOUT_MS, and each message as a whole, waiting for a free connection included, by
 * MAIL_SEND_TIMEOUT_MS (an AbortSignal: the pool drops the message or closes its connection). The pool never
 * re-sends a message on its own (`maxRequeues: 0`): retries are the dispatcher's, recorded in PostgreSQL.
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private transporter?: Transporter;

  constructor(private readonly config: AppConfig) {}

  get configured(): boolean {
    return !!this.config.SMTP_URL;
  }

  async send(mail: OutgoingMail): Promise<SendResult> {
    try {
      const { raw, envelope } = plainMessage({ from: this.config.MAIL_FROM, ...mail });
      await this.pool().sendMail({ envelope, raw, signal: AbortSignal.timeout(this.config.MAIL_SEND_TIMEOUT_MS) });
      return { ok: true };
    } catch (e) {
      return { ok: false, ...classifySmtpFailure(e) };
    }
  }

  onApplicationShutdown(): void {
    this.transporter?.close();
    this.transporter = undefined;
  }

  private pool(): Transporter {
    if (!this.config.SMTP_URL) throw new Error('SMTP_URL is not set');
    this.transporter ??= createTransport({
      pool: true,
      url: this.config.SMTP_URL,
      maxConnections: this.config.MAIL_CONCURRENCY,
      // A connection carries up to 1,000 messages before it is replaced (Nodemailer's default of 100 made every
      // connection reconnect ten times as often: about a third of the throughput in bench/fanout.ts).
      maxMessages: 1000,
      maxRequeues: 0,
      connectionTimeout: this.config.MAIL_CONNECTION_TIMEOUT_MS,
      greetingTimeout: this.config.MAIL_GREETING_TIMEOUT_MS,
      socketTimeout: this.config.MAIL_SOCKET_TIMEOUT_MS,
      dnsTimeout: this.config.MAIL_CONNECTION_TIMEOUT_MS,
      // The messages are built from text only (mail-message.ts): nothing may read a file or a URL into one.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
    return this.transporter;
  }
}
