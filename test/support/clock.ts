import { Clock } from '../../src/common/clock';
import type { TestApp } from './test-app';

/**
 * Moves the application's clock to `instant` (and holds it there) until `restore()`; `today()` follows,
 * as it is derived from `now()`. Only code that reads the Clock moves; the database's now() does not.
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
