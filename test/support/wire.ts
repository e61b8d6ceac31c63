import type { PgWireCounter, WireCounts } from '../../bench/pg-wire-counter';

/**
 * What one request costs PostgreSQL, counted on the wire: the fewest statements of `runs` runs, since a
 * background statement (the log sealer, a scheduler) can only add to a run, while an N+1 shows in every run.
 */
export async function costOf(counter: PgWireCounter, send: () => Promise<unknown>, runs = 3): Promise<WireCounts> {
  const counted: WireCounts[] = [];
  for (let i = 0; i < runs; i++) {
    counter.take();
    await send();
    counted.push(counter.take());
  }
  return counted.reduce((a, b) => (b.statements < a.statements ? b : a));
}
