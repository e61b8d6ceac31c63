import { Global, Injectable, Module } from '@nestjs/common';
import { amsterdamDate } from './working-days';

/**
 * The one source of "now" for the code that uses it, so that tests can move time (a fixed or moved
 * clock, see test/support/clock.ts) and deadlines counted in working days are tested across weekends
 * and holidays.
 */
@Injectable()
export class Clock {
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
