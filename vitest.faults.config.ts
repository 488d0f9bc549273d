/**
 * The fault suite (test/faults/, issue 14): every shipped pipeline against the sandboxes with injected
 * faults, SIGKILL and terminated Postgres backends. `npm run test:faults`; `.ci/run` calls it after
 * `npm test`. About 50 s on 2 cores, so it is kept out of `npm test`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 3,
  },
});
