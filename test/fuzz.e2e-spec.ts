import { describeFuzz } from './support/fuzz';

/**
 * A smoke slice of the OpenAPI fuzz (test/support/fuzz.ts) in every `npm test`: a few requests per
 * operation. The full run, 200 requests per operation, is `npm run test:load` (test/fuzz.load-spec.ts).
 */
describeFuzz({
  requestsPerOperation: Number(process.env.FUZZ_REQUESTS ?? 10),
  seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647),
  report: 'fuzz-smoke.txt',
});
