import { Clock } from '../../src/common/clock';
import type { TestApp } from './test-app';

/**
 * Moves the application's clock to `instant` (and holds it there) until `restore()`; `today()` follows,
 * as it is derived from `now()`. Everything that decides on time moves with it: the services and jobs
 * (through the injected Clock), the SQL that takes the Clock's instant as a parameter, and the DTO
 * validators (through `validatorNow()`, which reads the most recently constructed Clock, i.e. this app's
 * unless the test boots a second app afterwards). What does not move: column defaults that only record
 * when a row was written (see src/common/clock.ts), rows a factory inserts with the database's now(), and
 * credentials (JWTs, sessions), which stay on the real time.
 */
export function setClock(t: TestApp, instant: string | Date): { restore(): void; set(instant: string | Date): void } {
  const clock = t.app.get(Clock);
  let at = new Date(instant);
  const spy = jest.spyOn(clock, 'now').mockImplementation(() => new Date(at));
  return {
    set: (next) => {
      at = new Date(next);
    },
    restore: () => spy.mockRestore(),
  };
}
