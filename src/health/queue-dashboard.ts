import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { AppControllerRoute, BullBoardRequest, ControllerHandlerReturnType } from '@bull-board/api/typings/app';
import { FastifyAdapter } from '@bull-board/fastify';
import { HttpException, Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { codeForStatus, loggableError, sendProblem } from '../common/problem.filter';
import { CommonError, DomainException, PROBLEM_CONTENT_TYPE, ProblemDetails, problemType, statusTitle, ValidationProblem } from '../common/problem';
import { QUEUE_MAP, QueueMap, queuesConnected } from '../jobs/queue-map';
import { OperationsError } from './operations.errors';
import { QUEUE_DASHBOARD_PATH, QueueDashboardSessions } from './queue-dashboard-session';

/** Longest a dashboard request waits for Redis; then 503 (the dashboard never hangs on a Redis that is down). */
export const DASHBOARD_REDIS_TIMEOUT_MS = 5000;

/**
 * The dashboard page loads its own scripts, styles and images and calls its own API; nothing else (its
 * web-font stylesheet from a third party is refused on purpose: an administrator's browser tells nobody else).
 */
export const QUEUE_DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const logger = new Logger('QueueDashboard');

class Timeout extends Error {}

const problem = (status: number, code: string, detail: string): ProblemDetails => ({ type: problemType(status), title: statusTitle(status), status, detail, code });

function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** bull-board's answer, with its errors as problems: its own `error` key (which its page translates) is kept beside them. */
function asProblem(result: ControllerHandlerReturnType): ControllerHandlerReturnType {
  const status = result.status ?? 200;
  if (status < 400) return result;
  const body = (typeof result.body === 'object' && result.body ? result.body : {}) as { error?: unknown };
  const code = status === 404 ? CommonError.NotFound : status === 409 ? CommonError.Conflict : status === 405 ? CommonError.MethodNotAllowed : CommonError.BadRequest;
  return { status: result.status, body: { ...problem(status, code, 'The queue dashboard refused the request.'), error: body.error } };
}

/** Thrown by a handler (a Redis error, a timeout) or by Fastify (a body it could not parse): never bull-board's raw message. */
function thrown(error: unknown): ControllerHandlerReturnType {
  if (error instanceof Timeout || /Connection is closed|ECONNREFUSED|ETIMEDOUT|Stream isn't writeable/.test(String((error as Error)?.message))) {
    return { status: 503 as 500, body: { ...problem(503, OperationsError.QueuesUnavailable, 'Redis does not answer the queue dashboard; try again shortly.'), error: 'ERRORS.INTERNAL_SERVER_ERROR' } };
  }
  // The application's own refusals (the JSON parser's: malformed, too deep, NUL characters) keep their code.
  if (error instanceof ValidationProblem) return { status: 400, body: { ...problem(400, CommonError.InvalidInput, error.message), invalidParams: error.invalidParams } };
  if (error instanceof DomainException) return { status: error.getStatus() as 400, body: { ...problem(error.getStatus(), error.code, error.message), ...error.extensions } };
  const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status: status as 400, body: problem(status, codeForStatus(status), 'The request could not be processed.') };
  logger.error({ err: loggableError(error) }, 'queue dashboard error');
  return { status: 500, body: { ...problem(500, CommonError.InternalError, 'An unexpected error occurred; it has been logged.'), error: 'ERRORS.INTERNAL_SERVER_ERROR' } };
}

/**
 * bull-board's Fastify adapter, with every API call bounded in time and every error a problem. While a queue's
 * Redis client is not connected, calls answer 503 at once instead of queueing commands until Redis is back.
 */
class BoundedFastifyAdapter extends FastifyAdapter {
  constructor(private readonly connected: () => Promise<boolean>) {
    super();
  }

  override setApiRoutes(routes: AppControllerRoute[]): FastifyAdapter {
    const bound = (route: AppControllerRoute) => async (request?: BullBoardRequest) => {
      try {
        if (!(await this.connected())) throw new Timeout();
        return asProblem(await bounded(Promise.resolve(route.handler(request)), DASHBOARD_REDIS_TIMEOUT_MS));
      } catch (e) {
        return thrown(e);
      }
    };
    return super.setApiRoutes(routes.map((route) => ({ ...route, handler: bound(route) }) as AppControllerRoute));
  }

  override setErrorHandler(): this {
    return super.setErrorHandler((error) => thrown(error));
  }
}

/**
 * Mounts bull-board at /admin/queues, outside the versioned API, showing every queue of QUEUES (through the
 * queue map, so a new queue appears without being listed here). Fastify serves it directly, so Nest's guard
 * does not see it: every request under the path is checked here first against the dashboard session cookie
 * (see QueueDashboardSessions) and refused with a 401/403 problem. The application's hooks still apply
 * (API-Version and security headers, request ids, CORS); its unknown paths are the application's 404.
 */
export function installQueueDashboard(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const sessions = app.get(QueueDashboardSessions);
  const queues = app.get<QueueMap>(QUEUE_MAP);
  const adapter = new BoundedFastifyAdapter(() => queuesConnected(Object.values(queues)));
  adapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    // Retrying a job is safe: every handler is keyed by the database, not by the job.
    queues: Object.values(queues).map((queue) => new BullMQAdapter(queue)),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Ketentafel' } },
  });
  const routes: DashboardRoute[] = [];
  installed.set(app, routes);
  void fastify.register(
    async (scope) => {
      scope.addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
      });
      scope.addHook('onRequest', async (request, reply) => {
        const refused = sessions.check(request);
        if (refused) {
          sendProblem(reply, refused);
          return reply;
        }
      });
      scope.addHook('onSend', async (_request, reply, payload) => {
        if (reply.statusCode >= 400 && /json/.test(String(reply.getHeader('content-type')))) reply.type(PROBLEM_CONTENT_TYPE);
        if (reply.statusCode === 503) reply.header('Retry-After', '5');
        return payload;
      });
      await scope.register(adapter.registerPlugin());
    },
    { prefix: QUEUE_DASHBOARD_PATH },
  );
}

export interface DashboardRoute {
  method: string;
  url: string;
}

const installed = new WeakMap<NestFastifyApplication, DashboardRoute[]>();

/** The routes the dashboard registered (known once the application is ready), for the tests that walk every route. */
export const queueDashboardRoutes = (app: NestFastifyApplication): DashboardRoute[] => [...(installed.get(app) ?? [])];
