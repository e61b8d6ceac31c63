import { Global, Injectable, Module } from '@nestjs/common';
import { amsterdamDate } from './working-days';

/**
 * "Now" for code that runs outside dependency injection, read through `validatorNow()`: class-validator
 * constructs and runs its decorators' validators itself (a DTO's "in the future" or "not before today"),
 * so they cannot be handed the Clock. The Clock sets this when it is constructed, so in the application
 * (and in a test that moves the app's clock) validators see the same "now" as the services; before any
 * Clock exists (a DTO validated on its own) it is the real time.
 */
let currentNow: () => Date = () => new Date();

/** The application's "now" for class-validator decorators; everywhere else, inject the Clock. */
export function validatorNow(): Date {
  return currentNow();
}

/** Today in Europe/Amsterdam for class-validator decorators (see `validatorNow`). */
export function validatorToday(): string {
  return amsterdamDate(validatorNow());
}

/**
 * The one source of "now" for every service, job and seed, so that tests can move time (a fixed or moved
 * clock, see test/support/clock.ts) and deadlines counted in working days are tested across weekends
 * and holidays. In production it is the real time; `src/` reads "now" nowhere else (test/clock-usage.spec.ts
 * fails on a `new Date()` or `Date.now()` elsewhere, apart from its commented allow-list).
 *
 * The database's clock: SQL that decides a domain fact takes the Clock's instant or date as a parameter
 * instead of `now()` (overdue actions, the next planned meeting, the calendar's window, the year in a case
 * reference, drafting), and the timestamps such SQL compares are written from the Clock too (incident,
 * action and measure `created_at`, an action's `completed_at` and `replan_requested_at`, a meeting's
 * `agenda_drafted_at`, `agenda_published_at`, `opened_at` and `closed_at`, a case's `closed_at`, both logs'
 * timestamps), so both sides of every comparison are on one timeline. `DEFAULT now()` stays where a column
 * only records when a row was written and nothing is decided on it: `created_at`/`updated_at` elsewhere
 * (nominations, agenda items, strategies, deadlines, reviews, addenda, organisations, users, tables, ...),
 * a case's `opened_at` (shown and used for paging only), history stamps (status changes, transfers,
 * memberships, covenant versions), and everything about credentials (sessions, refresh tokens, invites,
 * calendar-feed tokens, revocations) and the log sealing and verification, which run on the real time
 * because JWT lifetimes are checked by the library against it.
 */
@Injectable()
export class Clock {
  constructor() {
    // Looked up on each call, so that a test's spy on this instance's now() reaches the validators too.
    currentNow = () => this.now();
  }

  now(): Date {
    return new Date();
  }

  /** Today's calendar date in Europe/Amsterdam (`YYYY-MM-DD`), the date every deadline is counted from. */
  today(): string {
    return amsterdamDate(this.now());
  }
}

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
