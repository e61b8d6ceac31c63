import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { Client } from 'pg';

/** Raised instead of starting a statement for a request whose client has gone away. */
export class ClientGoneError extends Error {
  readonly code = 'client_gone';
  constructor() {
    super('The client went away; the request was abandoned.');
  }
}

/** Only the end of a transaction may still run for an abandoned request: it returns the connection clean. */
const MAY_RUN_ABANDONED = /^\s*ROLLBACK\b/i;

/**
 * The database work of one HTTP request. When its client goes away the running statements are cancelled
 * (`pg_cancel_backend`) and no further statement starts, so an abandoned request stops holding a pool
 * connection and locks. Services need not know: the pool's clients look the scope up themselves.
 */
export class QueryScope {
  private isAbandoned = false;
  private readonly running = new Set<ScopedClient>();
  private readonly cancels = new Map<ScopedClient, Promise<unknown>>();

  constructor(private readonly cancelBackend: (pid: number) => Promise<unknown>) {}

  get abandoned(): boolean {
    return this.isAbandoned;
  }

  abandon(): void {
    if (this.isAbandoned) return;
    this.isAbandoned = true;
    for (const client of this.running) {
      this.cancels.set(client, this.cancelBackend(client.pid).catch(() => undefined));
    }
  }

  async run<T>(client: ScopedClient, text: string, start: () => Promise<T>): Promise<T> {
    if (this.abandoned && !MAY_RUN_ABANDONED.test(text)) throw new ClientGoneError();
    this.running.add(client);
    try {
      return await start();
    } finally {
      this.running.delete(client);
      // The connection goes back to the pool only after a cancel aimed at it has been delivered, so the
      // cancel can never hit the next request's statement on the same connection.
      const cancelling = this.cancels.get(client);
      if (cancelling) {
        this.cancels.delete(client);
        await cancelling;
      }
    }
  }
}

export const queryScopes = new AsyncLocalStorage<QueryScope>();

/** The pool's client class (`extra.Client`): statements issued within a request run in its scope. */
export class ScopedClient extends Client {
  get pid(): number {
    return (this as unknown as { processID: number }).processID;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's query has a dozen overloads; this forwards them all
  override query(...args: any[]): any {
    const scope = queryScopes.getStore();
    const [first] = args;
    const call = () => (Client.prototype.query as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    // Callback and stream forms are not used on the request path (TypeORM awaits the promise form).
    if (typeof args[args.length - 1] === 'function' || typeof first?.submit === 'function') return call();
    const forward = () => call().catch((e: unknown) => this.dropIfFatal(e));
    if (!scope) return forward();
    return scope.run(this, typeof first === 'string' ? first : String(first?.text ?? ''), forward);
  }

  /**
   * A backend that answered FATAL (terminated by an operator, the server shutting down) is gone, but its socket
   * may not have closed yet when the caller hands the connection back: without this the pool could lend it to
   * the next request, which would then fail too. Ending it here makes the pool drop it on release.
   */
  private dropIfFatal(e: unknown): never {
    if ((e as { severity?: string } | null)?.severity === 'FATAL') void this.end().catch(() => undefined);
    throw e;
  }
}

/**
 * Gives every HTTP request a QueryScope that is abandoned when the client closes the connection before
 * the response is complete. Call before the application registers its routes.
 */
export function installQueryScopes(fastify: FastifyInstance, cancelBackend: (pid: number) => Promise<unknown>): void {
  const resources = new WeakMap<FastifyRequest, AsyncResource>();
  fastify.addHook('onRequest', (request, reply, done) => {
    const scope = new QueryScope(cancelBackend);
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) scope.abandon();
    });
    queryScopes.run(scope, () => {
      const resource = new AsyncResource('ketentafel.request');
      resources.set(request, resource);
      resource.runInAsyncScope(done);
    });
  });
  // A body is read in the socket's async context: where AsyncLocalStorage follows async_hooks (Node 22)
  // rather than AsyncContextFrame (Node 24), the handler would run outside the request's scope after it.
  fastify.addHook('preValidation', (request, _reply, done) => {
    const resource = resources.get(request);
    if (resource) resource.runInAsyncScope(done);
    else done();
  });
}

/** Whether the request being handled here was abandoned by its client. */
export const requestAbandoned = (): boolean => queryScopes.getStore()?.abandoned ?? false;
