/** `npm run test:browser`: the docs page driven in Chromium (needs /usr/bin/chromium or CHROMIUM_PATH); the same transform as jest.config.js. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS config extending the other
const base = require('./jest.config');

module.exports = {
  ...base,
  testRegex: '\\.browser-spec\\.ts$',
  testTimeout: 120_000,
};
