import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const bool = () =>
  Transform(({ value }) => {
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'boolean') return value;
    if (/^(true|1|yes)$/i.test(String(value))) return true;
    if (/^(false|0|no)$/i.test(String(value))) return false;
    return value;
  });

// Explicit transforms: they do not depend on emitted type metadata, which differs between tsc and SWC.
const num = () => Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value));

/**
 * A whole number in a range. Every constraint carries the same message, so that `PORT=abc` and `PORT=70000`
 * both read "PORT must be a number from 0 to 65535" rather than whichever constraint class-validator lists first.
 */
const int = (min: number, max?: number): PropertyDecorator => {
  const message = `must be a number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}`;
  const decorators = [num(), IsInt({ message }), Min(min, { message }), ...(max === undefined ? [] : [Max(max, { message })])];
  return (target, key) => decorators.forEach((d) => d(target, key));
};

const list = () =>
  Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value,
  );

const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me-0123456789';
const DEV_PSEUDONYM_KEY = 'dev-only-insecure-pseudonym-key-change-me-012345';
const DEV_MAIL_FROM = 'Ketentafel <noreply@ketentafel.localhost>';
const MAIL_FROM_PATTERN = /^(?:[^<>\r\n"]+ )?<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>$|^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const DEV_WEBHOOK_SECRET_KEY = 'dev-only-insecure-webhook-secret-key-change-me-0123';

/**
 * Every environment variable the service reads, validated once at start.
 * Defaults suit a developer machine with PostgreSQL and Redis on 127.0.0.1; production must set secrets.
 */
export class AppConfig {
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @int(0, 65535)
  PORT = 3000;

  /**
   * Interface to listen on. Loopback by default, so that a development machine with the public demo password
   * is not reachable from the network; production must say which (`0.0.0.0` for every interface).
   */
  @IsString() @MinLength(1)
  HOST = '127.0.0.1';

  /** Trust X-Forwarded-For from a reverse proxy (for the origin IP in the audit log). */
  @bool() @IsBoolean()
  TRUST_PROXY = false;

  /**
   * Public base URL of this API, used in the OpenAPI `servers` entry and in links sent by e-mail, calendar feeds
   * and webhooks. Unset: `http://localhost:<PORT>` (or `http://<HOST>:<PORT>` when HOST is one address other
   * than loopback), so that it follows the port the API really listens on.
   */
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?$/, { message: 'must be an http(s) origin without a trailing slash, e.g. https://ketentafel.example.nl' })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  /** The application's login role: not the owner of the tables, not a superuser. */
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL = 'postgres://ketentafel_app:ketentafel_app@127.0.0.1:5432/ketentafel';

  /** The role that owns the schema and runs migrations. */
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection URL' })
  MIGRATION_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ketentafel';

  @bool() @IsBoolean()
  DB_RUN_MIGRATIONS = true;

  /** Create the database and the application's login role if missing (development convenience). */
  @bool() @IsBoolean()
  DB_BOOTSTRAP = true;

  @int(1, 200)
  DB_POOL_SIZE = 20;

  /** Longest one SQL statement of the application may run before PostgreSQL cancels it (ms; 0 = no limit). */
  @int(0, 600_000)
  DB_STATEMENT_TIMEOUT_MS = 5000;

  /** Longest a statement waits for a row or table lock before it gives up (ms; 0 = no limit). */
  @int(0, 600_000)
  DB_LOCK_TIMEOUT_MS = 2000;

  /** A transaction left idle this long (a stuck or crashed holder) is ended by PostgreSQL (ms; 0 = no limit). */
  @int(0, 3_600_000)
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;

  /** Longest a request waits for a free pool connection (or for a new one to connect) before it answers 503 (ms). */
  @int(100, 60_000)
  DB_POOL_ACQUIRE_TIMEOUT_MS = 3000;

  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every Redis key (queues, rate limits), so that several deployments can share one Redis. */
  @Matches(/^[a-z0-9_-]{1,40}$/i, { message: 'must be 1-40 letters, digits, - or _' })
  REDIS_PREFIX = 'ketentafel';

  /** How often a worker checks that its job schedulers still exist in Redis (and re-creates missing ones). */
  @int(1, 3600)
  JOB_SCHEDULE_CHECK_SECONDS = 60;

  /** Domain events the outbox relay moves to the notifications queue per transaction. */
  @int(1, 5000)
  OUTBOX_RELAY_BATCH_SIZE = 500;

  /** An event relayed this long ago and still not delivered is relayed again (its job may be lost with Redis's data). */
  @int(1, 86_400)
  OUTBOX_REDELIVER_AFTER_SECONDS = 300;

  /** Worker processes LISTEN for committed events and relay at once; without it, on the schedule only. */
  @bool() @IsBoolean()
  OUTBOX_LISTEN = true;

  /** `/health/ready` answers 503 while the oldest unrelayed domain event is older than this (seconds; 0 = not checked). */
  @int(0, 86_400)
  OUTBOX_LAG_READY_SECONDS = 300;

  @IsString() @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET = DEV_JWT_SECRET;

  @IsString() @MinLength(1)
  JWT_ISSUER = 'ketentafel';

  @IsString() @MinLength(1)
  JWT_AUDIENCE = 'ketentafel-api';

  @int(60, 3600)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @int(1, 90)
  REFRESH_TOKEN_TTL_DAYS = 14;

  /** Key for the keyed hash (HMAC-SHA256) of data-subject ids in the processing log. */
  @IsString() @MinLength(32, { message: 'must be at least 32 characters' })
  PSEUDONYM_KEY = DEV_PSEUDONYM_KEY;

  /** Key that encrypts the webhook signing secrets at rest (AES-256-GCM under its SHA-256). */
  @IsString() @MinLength(32, { message: 'must be at least 32 characters' })
  WEBHOOK_SECRET_KEY = DEV_WEBHOOK_SECRET_KEY;

  /**
   * The CloudEvents `source` of every webhook: a URN naming the operator and this system, as the NL GOV
   * profile for CloudEvents recommends, e.g. `urn:nld:oin:<OIN of the operator>:systeem:ketentafel`.
   */
  @Matches(/^urn:nld:[A-Za-z0-9][\x21-\x7e]*$/, { message: 'must be a URN in the nld namespace, e.g. urn:nld:oin:00000001234567890000:systeem:ketentafel' })
  WEBHOOK_SOURCE = 'urn:nld:ketentafel';

  /** Longest one webhook POST may take, from connecting to the response headers (ms). */
  @int(100, 60_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /** Webhook POSTs a worker process sends at once. */
  @int(1, 64)
  WEBHOOK_CONCURRENCY = 16;

  /** Webhook deliveries a dispatcher claims, builds (in one transaction) and sends as one batch. */
  @int(1, 1000)
  WEBHOOK_BATCH_SIZE = 200;

  /** Requests per minute per client IP on login, refresh and token endpoints. */
  @int(1)
  AUTH_RATE_LIMIT_PER_MINUTE = 30;

  /** Failed logins per account (and per IP) within 15 minutes before further attempts are refused. */
  @int(1)
  LOGIN_MAX_FAILURES = 5;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** `pretty` (one coloured line per event) or `json`. Unset: pretty on a terminal outside production, else JSON. */
  @IsOptional() @IsIn(LOG_FORMATS, { message: `must be one of ${LOG_FORMATS.join(', ')}` })
  LOG_FORMAT?: LogFormat;

  /** Bearer token that `GET /metrics` on the API's port requires; unset: that route answers 401 to everyone. */
  @IsOptional() @IsString() @MinLength(32, { message: 'must be at least 32 characters' })
  METRICS_TOKEN?: string;

  /** A separate listener that serves only `GET /metrics`, without a token, on METRICS_HOST; unset: none. */
  @IsOptional() @int(1, 65535)
  METRICS_PORT?: number;

  /** Interface of the METRICS_PORT listener: loopback by default, for a Prometheus agent on the same machine. */
  @IsString() @MinLength(1)
  METRICS_HOST = '127.0.0.1';

  /** Browser origins allowed by CORS (comma-separated). The OpenAPI document is always `*`. */
  @list() @IsString({ each: true })
  CORS_ORIGINS: string[] = [];

  /** Seed the Harderwijk demo on an empty database. Never in production. */
  @bool() @IsBoolean()
  DEMO_SEED = true;

  /**
   * SMTP server for e-mail notifications: `smtp://` (upgraded with STARTTLS when the server offers it; add
   * `?requireTLS=true` to insist) or `smtps://`, with credentials if any. Unset: no e-mail is sent, and
   * what was recorded is marked `skipped` (README, "E-mail").
   */
  @IsOptional() @Matches(/^smtps?:\/\/\S+$/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** Sender of e-mail notifications: `name@domain`, or `Display name <name@domain>`. */
  @Matches(MAIL_FROM_PATTERN, { message: 'must be an e-mail address, optionally as "Name <address>"' })
  MAIL_FROM = DEV_MAIL_FROM;

  /** SMTP connections (and messages in flight) per worker process. */
  @int(1, 50)
  MAIL_CONCURRENCY = 8;

  /** E-mails a dispatcher claims per statement, and marks sent per transaction. */
  @int(1, 500)
  MAIL_BATCH_SIZE = 64;

  /** Longest wait to connect to the SMTP server, DNS and its greeting included (ms). */
  @int(100, 120_000)
  MAIL_CONNECTION_TIMEOUT_MS = 10_000;

  /** Longest wait for the server's greeting once connected (ms; also bounded by the connection timeout). */
  @int(100, 120_000)
  MAIL_GREETING_TIMEOUT_MS = 10_000;

  /** Longest the SMTP connection may stay silent while a message is handed over (ms). */
  @int(100, 300_000)
  MAIL_SOCKET_TIMEOUT_MS = 30_000;

  /** Longest one message may take in all, waiting for a connection included; then it is abandoned and retried (ms). */
  @int(100, 600_000)
  MAIL_SEND_TIMEOUT_MS = 60_000;

  /** True when PUBLIC_BASE_URL was not set and follows HOST and PORT (main.ts fills in the real port when PORT=0). */
  publicBaseUrlFollowsPort = false;

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
}

export class ConfigError extends Error {}

/** Validates the environment; throws a ConfigError whose message is one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const defaults = new AppConfig();
  const raw: Record<string, unknown> = {};
  const variables = [...Object.keys(defaults), 'LOG_FORMAT', 'METRICS_TOKEN', 'METRICS_PORT', 'SMTP_URL'].filter((k) => /^[A-Z][A-Z0-9_]*$/.test(k));
  for (const key of new Set(variables)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const first = errors[0];
    const reason = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    throw new ConfigError(`Invalid configuration: ${first.property} ${reason.replace(new RegExp(`^${first.property}\\s*`), '')}`);
  }
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT === config.PORT) {
    throw new ConfigError('Invalid configuration: METRICS_PORT must differ from PORT (it is a listener of its own)');
  }
  if (raw.PUBLIC_BASE_URL === undefined) {
    config.PUBLIC_BASE_URL = `http://${urlHost(config.HOST)}:${config.PORT}`;
    config.publicBaseUrlFollowsPort = true;
  }
  if (config.isProduction) {
    if (raw.HOST === undefined) {
      throw new ConfigError('Invalid configuration: HOST must be set in production (0.0.0.0 for every interface, or the address of one)');
    }
    for (const [key, devValue] of [
      ['JWT_SECRET', DEV_JWT_SECRET],
      ['PSEUDONYM_KEY', DEV_PSEUDONYM_KEY],
      ['WEBHOOK_SECRET_KEY', DEV_WEBHOOK_SECRET_KEY],
    ] as const) {
      if (config[key] === devValue) throw new ConfigError(`Invalid configuration: ${key} must be set in production (at least 32 random characters)`);
    }
    if (config.SMTP_URL && config.MAIL_FROM === DEV_MAIL_FROM) {
      throw new ConfigError('Invalid configuration: MAIL_FROM must be set in production when SMTP_URL is set (the sender address of e-mail notifications)');
    }
    config.DEMO_SEED = false;
    config.DB_BOOTSTRAP = false;
  }
  return config;
}

/** The host of a URL that reaches a listener on `host`: `localhost` for loopback and the wildcard addresses. */
export function urlHost(host: string): string {
  if (['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
