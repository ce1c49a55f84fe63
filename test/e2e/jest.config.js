/** @type {import('jest').Config} Browser tests: `npm run test:e2e` (not part of `npm test`). */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 90000,
  maxWorkers: 1,
};
