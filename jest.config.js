/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: [
    '<rootDir>/test',
    '<rootDir>/definitions',
    '<rootDir>/adoption',
    '<rootDir>/channels',
    '<rootDir>/steps',
    '<rootDir>/workflows',
    '<rootDir>/client',
    '<rootDir>/activities',
    '<rootDir>/worker',
    '<rootDir>/web',
    '<rootDir>/cli',
    '<rootDir>/db',
  ],
  testMatch: ['**/*.test.ts'],
  // Real Temporal and Postgres servers start inside tests; their start-up is the slow part, not the assertions.
  testTimeout: 180_000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/support/quiet-runtime.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
