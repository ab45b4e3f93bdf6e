/**
 * The reliability suite (`npm run test:reliability`): real servers, real faults, counts taken at the peers.
 * Separate from `npm test` (its files end in .reliability.ts, which the main config does not match).
 * RELIABILITY_RUNS sets the size (default 1000, the full run; CI: 200).
 */
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.resolve(__dirname, '..', '..'),
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.reliability.ts'],
  testTimeout: 3_600_000,
  // Transpile only: the suite must not stop on a type error elsewhere in a tree being restructured.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true, diagnostics: false }] },
  setupFiles: ['<rootDir>/test/support/quiet-runtime.ts'],
  globalSetup: '<rootDir>/test/reliability/global-setup.ts',
  globalTeardown: '<rootDir>/test/reliability/global-teardown.ts',
};
