/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: [
    '<rootDir>/test',
    '<rootDir>/core',
    '<rootDir>/adoption',
    '<rootDir>/adapters',
    '<rootDir>/steps',
    '<rootDir>/definitions',
    '<rootDir>/workflows',
    '<rootDir>/temporal',
    '<rootDir>/activities',
    '<rootDir>/worker',
    '<rootDir>/api',
    '<rootDir>/client',
  ],
  testMatch: ['**/*.test.ts'],
  // Real Temporal and Postgres servers start inside tests; their start-up is the slow part, not the assertions.
  testTimeout: 180_000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/support/quiet-runtime.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
