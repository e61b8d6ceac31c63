import { describeFuzz } from './support/fuzz';

/**
 * The full OpenAPI fuzz (test/support/fuzz.ts): 200 requests per operation, spread over every kind of
 * caller. Runs with `npm run test:load` (and in CI after `npm test`); FUZZ_REQUESTS and FUZZ_SEED override.
 */
describeFuzz({
  requestsPerOperation: Number(process.env.FUZZ_REQUESTS ?? 200),
  seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647),
  report: 'fuzz.txt',
});
