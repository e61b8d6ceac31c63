import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { version } from '../../package.json';
import { DomainException, InvalidParam, PROBLEM_CONTENT_TYPE, ProblemDetails, problemType, statusTitle, ValidationProblem } from './problem';
import { CommonError } from './problem';
import { installNotModified } from './etag';

/**
 * What the HTTP layer refuses before any application code runs, and how it answers. Fastify and Node
 * answer some errors themselves (413, 414, 431, bad percent-encoding) before Nest's exception filter;
 * every one of those answers is shaped here as problem+json with the API's headers.
 */

/** Deeper JSON is refused before it is parsed: class-transformer recurses and overflows the stack. */
export const MAX_JSON_DEPTH = 32;
export const BODY_LIMIT_BYTES = 1_048_576;
/** RFC 7396: accepted on PATCH beside application/json. */
export const MERGE_PATCH_TYPE = 'application/merge-patch+json';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'API-Version': version,
  'Cache-Control': 'no-store',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/** The defaults of SECURITY_HEADERS (and the Content-Security-Policy) a route may replace on its successful answers. */
export type OwnResponseHeaders = Partial<Record<'Cache-Control' | 'Content-Security-Policy', string>>;

const OWN_HEADERS = Symbol('ketentafel:own-response-headers');

/**
 * For a route whose answers may be cached by anyone (the public contact card) or that serves a page with
 * its own stylesheet: these headers replace the defaults (`Cache-Control: no-store`, `default-src 'none'`)
 * on a 2xx or 304 answer. An error answer keeps the defaults, so a problem is never cached.
 */
export function setOwnResponseHeaders(reply: FastifyReply, headers: OwnResponseHeaders): void {
  (reply as unknown as Record<symbol, OwnResponseHeaders>)[OWN_HEADERS] = headers;
}

/** What setOwnResponseHeaders put on this reply, if its answer is not an error. */
export function ownResponseHeaders(reply: FastifyReply): OwnResponseHeaders | undefined {
  return reply.statusCode < 400 ? (reply as unknown as Record<symbol, OwnResponseHeaders | undefined>)[OWN_HEADERS] : undefined;
}

/** An HTTP-level refusal with a stable code; rendered by the problem filter like a DomainException. */
export class HttpProblem extends DomainException {}

const problem = (status: number, code: CommonError, detail: string): ProblemDetails => ({ type: problemType(status), title: statusTitle(status), status, detail, code });

/** Scans the raw text once: nesting depth outside strings. Linear, no recursion, no allocation. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** Why a string cannot be stored as text: PostgreSQL refuses NUL, and an unpaired surrogate is not Unicode. */
export function textDefect(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain a NUL character';
  if (!s.isWellFormed()) return 'must not contain an unpaired surrogate character';
  return undefined;
}

/** Every string (and key) of a parsed value that cannot be stored, by its path (`a.0.b`, as validation names fields). */
export function textDefects(value: unknown, path = '', out: InvalidParam[] = []): InvalidParam[] {
  if (typeof value === 'string') {
    const reason = textDefect(value);
    if (reason) out.push({ name: path || 'body', reason });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => textDefects(v, path ? `${path}.${i}` : String(i), out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const name = path ? `${path}.${k}` : k;
      const keyDefect = textDefect(k);
      if (keyDefect) out.push({ name: path || 'body', reason: `has a field name that ${keyDefect.replace(/^must/, 'must')}` });
      else textDefects(v, name, out);
    }
  }
  return out;
}

const UTF8 = /^utf-?8$/i;

function jsonParser(_req: FastifyRequest, body: string, done: (err: Error | null, value?: unknown) => void): void {
  if (body === '') return done(null, undefined);
  if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
    return done(new HttpProblem(400, CommonError.JsonTooDeep, `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`));
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return done(new HttpProblem(400, CommonError.InvalidJson, 'The request body is not valid JSON.'));
  }
  const defects = textDefects(value);
  return defects.length ? done(new ValidationProblem(defects)) : done(null, value);
}

/**
 * The routes the application registered, in a router of their own, so that a path that exists under
 * another method answers 405 with `Allow` (Fastify itself only knows 404).
 */
export class RouteTable {
  private readonly router = FindMyWay({ ignoreTrailingSlash: false });
  private readonly methods = new Set<string>();
  private readonly entries: { method: string; url: string }[] = [];

  add(method: string, url: string): void {
    this.methods.add(method);
    this.entries.push({ method, url });
    try {
      this.router.on(method as FindMyWay.HTTPMethod, url, () => undefined);
    } catch {
      // Already known (Fastify adds HEAD for GET routes itself, and may announce a route twice).
    }
  }

  /**
   * Methods under which `path` exists; empty when it does not exist at all. OPTIONS is left out: CORS
   * answers it on every path, so it says nothing about whether the resource exists.
   */
  allowed(path: string): string[] {
    return [...this.methods].filter((m) => m !== 'OPTIONS' && this.router.find(m as FindMyWay.HTTPMethod, path) !== null).sort();
  }

  /** Every route Fastify serves, Nest's and those registered on Fastify directly (for the tests that walk routes). */
  list(): { method: string; url: string }[] {
    return [...this.entries];
  }
}

const tables = new WeakMap<NestFastifyApplication, RouteTable>();

/** The route table of an application built by createHttpApp. */
export const routeTableOf = (app: NestFastifyApplication): RouteTable | undefined => tables.get(app);

/** A socket-level answer (Node's parser refused the request before Fastify saw it). */
function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const [status, code, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, CommonError.HeadersTooLarge, 'The request headers are too large.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, CommonError.RequestTimeout, 'The request took too long to arrive.']
        : [400, CommonError.BadRequest, 'The request is not valid HTTP.'];
  const body = JSON.stringify(problem(status, code, detail));
  const headers = { ...SECURITY_HEADERS, 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body), Connection: 'close' };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  socket.end(`HTTP/1.1 ${status} ${statusTitle(status)}\r\n${head}\r\n\r\n${body}`);
}

/** Errors Fastify's router raises before a route is chosen; never echo the path back. */
function frameworkErrors(error: Error & { code?: string }, _req: FastifyRequest, reply: FastifyReply): void {
  const p =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? problem(414, CommonError.UriTooLong, 'A path segment is too long.')
      : error.code === 'FST_ERR_BAD_URL'
        ? problem(400, CommonError.BadUrl, 'The path is not validly percent-encoded.')
        : problem(400, CommonError.BadRequest, 'The request could not be routed.');
  // No route was chosen, so the application's onSend hook does not run for this answer.
  reply.headers(SECURITY_HEADERS).status(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}

/** Options for the FastifyAdapter: limits and the answers Fastify gives before the application runs. */
export const fastifyHardeningOptions = {
  bodyLimit: BODY_LIMIT_BYTES,
  clientErrorHandler,
  frameworkErrors,
};

/**
 * Installs the JSON parser with depth, charset and text checks; text checks on the query string and
 * form bodies; and collects the routes for 405. Call before the application registers its routes.
 */
export function installHttpHardening(app: NestFastifyApplication, routes: RouteTable): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  tables.set(app, routes);
  installNotModified(fastify);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.add(method, route.url);
  });
  // Through Nest, so that Nest does not register its own JSON parser beside it.
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES }, (req, body, done) => jsonParser(req as FastifyRequest, body.toString('utf8'), done));
  // RFC 7396 JSON Merge Patch, with the same limits. Every PATCH body here is a merge patch already (the
  // fields sent replace the stored ones, `null` clears a nullable field), so the parsed value is the same.
  app.useBodyParser(MERGE_PATCH_TYPE, { bodyLimit: BODY_LIMIT_BYTES }, (req, body, done) => jsonParser(req as FastifyRequest, body.toString('utf8'), done));
  fastify.addHook('onRequest', async (request) => {
    const type = request.headers['content-type'];
    const charset = typeof type === 'string' ? /;\s*charset=("?)([^";\s]+)\1/i.exec(type)?.[2] : undefined;
    if (charset && !UTF8.test(charset)) throw new HttpProblem(415, CommonError.UnsupportedMediaType, 'Only UTF-8 is accepted; send charset=utf-8 or none.');
    // A merge patch only means something to PATCH.
    if (request.method !== 'PATCH' && typeof type === 'string' && type.split(';')[0].trim().toLowerCase() === MERGE_PATCH_TYPE) {
      throw new HttpProblem(415, CommonError.UnsupportedMediaType, `${MERGE_PATCH_TYPE} is accepted on PATCH only; send application/json.`);
    }
  });
  // JSON bodies were checked while parsing; query strings and form bodies are flat, so checking is cheap.
  fastify.addHook('preValidation', async (request) => {
    const defects = textDefects(request.query ?? {});
    if (request.body && !/json/i.test(String(request.headers['content-type'] ?? ''))) textDefects(request.body, '', defects);
    if (defects.length) throw new ValidationProblem(defects);
  });
}

/** For logs: the request line without the query string. */
export const pathOf = (req: IncomingMessage | FastifyRequest): string => (req.url ?? '').split('?')[0];
