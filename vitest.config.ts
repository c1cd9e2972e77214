import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two test files at a time even on two cores (vitest's default would be one): the integration
    // files mostly wait on Kafka, timers and simulated systems. 118 files: 7 min instead of 12.5.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'connectors/**/*.test.ts', 'simulators/**/*.test.ts', 'test/unit/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts', 'connectors/**/*.int.test.ts'],
          exclude: ['test/cluster/**', 'node_modules/**'],
          // One real broker for the whole run (or KAFKA_BROKERS); each test makes its own topics.
          globalSetup: ['test/helpers/broker-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          // Three brokers of its own, one killed with SIGKILL (issue 16); also alone: `npm run test:cluster`.
          name: 'cluster',
          include: ['test/cluster/**/*.int.test.ts'],
          globalSetup: ['test/helpers/broker-global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
