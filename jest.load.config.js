/** `npm run test:load`: the long runs (the full fuzz), kept out of `npm test`; the same transform as jest.config.js. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS config extending the other
const base = require('./jest.config');

module.exports = {
  ...base,
  testRegex: '\\.load-spec\\.ts$',
  testTimeout: 1_800_000,
};
