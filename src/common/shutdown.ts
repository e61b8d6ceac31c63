import { INestApplicationContext, Logger } from '@nestjs/common';

/**
 * The longest a shutdown may take, whatever is down: within the 10 s that `docker stop` (and many
 * orchestrators) grant before SIGKILL, so that closing is never cut off half-way.
 */
export const SHUTDOWN_TIMEOUT_MS = 9000;

/**
 * On SIGTERM or SIGINT: stop accepting work and close the application (in-flight requests and running jobs
 * may finish, see JobsShutdown), then exit. If closing hangs (a dependency that is down and waited for),
 * the process exits anyway once the timeout has passed.
 */
export function exitOnSignals(app: INestApplicationContext, timeoutMs = SHUTDOWN_TIMEOUT_MS): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log({ event: 'shutdown', signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ event: 'shutdown_timeout', signal, timeoutMs }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, timeoutMs);
    app.close().then(
      () => {
        clearTimeout(deadline);
        process.exit(0);
      },
      (e: unknown) => {
        logger.error({ event: 'shutdown_failed', reason: e instanceof Error ? e.message : String(e) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, stop);
}
