import { CommonError } from '../common/problem';

/** A failure of the database rather than of the request: the client should retry later, it is no bug. */
export interface DatabaseFault {
  code: CommonError;
  detail: string;
  retryAfter: number;
  /** The SQLSTATE or Node error code, for the log (never the message: it may quote row values). */
  cause: string;
}

type Kind = Omit<DatabaseFault, 'cause'>;

const BUSY: Kind = { code: CommonError.DatabaseBusy, detail: 'The database is busy: no connection came free in time. Retry later.', retryAfter: 2 };
const STATEMENT_TIMEOUT: Kind = { code: CommonError.DatabaseTimeout, detail: 'The database did not finish in time. Retry later.', retryAfter: 2 };
const LOCK_TIMEOUT: Kind = { code: CommonError.LockTimeout, detail: 'The data is being changed by another request. Retry later.', retryAfter: 1 };
const CONFLICT: Kind = { code: CommonError.TransactionConflict, detail: 'A concurrent change conflicted with this one; nothing was saved. Retry.', retryAfter: 1 };
const UNAVAILABLE: Kind = { code: CommonError.DatabaseUnavailable, detail: 'The database cannot be reached. Retry later.', retryAfter: 5 };

const BY_SQLSTATE: Record<string, Kind> = {
  '57014': STATEMENT_TIMEOUT, // query_canceled: statement_timeout, or an operator's pg_cancel_backend
  '55P03': LOCK_TIMEOUT, // lock_not_available
  '40P01': CONFLICT, // deadlock_detected
  '40001': CONFLICT, // serialization_failure
  '57P01': UNAVAILABLE, // admin_shutdown (also pg_terminate_backend)
  '57P02': UNAVAILABLE, // crash_shutdown
  '57P03': UNAVAILABLE, // cannot_connect_now (starting up, recovery)
  '53300': UNAVAILABLE, // too_many_connections
  '25P03': UNAVAILABLE, // idle_in_transaction_session_timeout ended the session
};

const NODE_CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** node-postgres and pg-pool raise these as plain Errors without a code. */
const MESSAGES: [RegExp, Kind][] = [
  [/^timeout exceeded when trying to connect$/, BUSY],
  [/^Connection terminated/, UNAVAILABLE],
  [/is not queryable$/, UNAVAILABLE],
];

/** The fault behind an error thrown by TypeORM or node-postgres, or undefined when it is something else. */
export function databaseFault(error: unknown): DatabaseFault | undefined {
  // TypeORM's QueryFailedError copies the driver error's fields and keeps it as `driverError`.
  for (const e of [error, (error as { driverError?: unknown })?.driverError]) {
    if (!e || typeof e !== 'object') continue;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (BY_SQLSTATE[code]) return { ...BY_SQLSTATE[code], cause: code };
      // SQLSTATE class 08: connection exception.
      if (/^08[0-9A-Z]{3}$/.test(code) || NODE_CONNECTION_ERRORS.has(code)) return { ...UNAVAILABLE, cause: code };
    }
    if (typeof message === 'string') {
      const known = MESSAGES.find(([pattern]) => pattern.test(message));
      if (known) return { ...known[1], cause: known[1] === BUSY ? 'pool_timeout' : 'connection_lost' };
    }
  }
  return undefined;
}
