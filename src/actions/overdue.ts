/**
 * The one overdue rule (DOMAIN.md section 3: "overdue is derived"): an action is overdue when it is open
 * and its due date is before today in the Netherlands, so it turns overdue the day after it was due.
 * SQL and TypeScript both read it from here; nothing stores it. "Today" is always the Clock's (passed in,
 * never the database's now()), so a test that moves the clock moves what is overdue.
 */

/** The rule as an SQL condition on the action aliased `alias`; `today` is an SQL date (a parameter such as `$4::date`). */
export const overdueSql = (alias: string, today: string) => `(${alias}.status = 'open' AND ${alias}.due_date < ${today})`;

/** The rule in TypeScript; `today` is an ISO date (pass one date to judge a whole response alike). */
export const isOverdue = (action: { status: string; due_date: string }, today: string) => action.status === 'open' && action.due_date < today;
