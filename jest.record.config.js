/** `npm run record-histories`: the history recorder runs on the same harness as the tests (dev server, Postgres). */
const base = require('./jest.config');
module.exports = { ...base, roots: ['<rootDir>/scripts'], testMatch: ['**/*.record.ts'] };
