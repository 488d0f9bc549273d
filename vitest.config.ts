import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault suite (about 50 s alone) runs on its own: `npm run test:faults` (vitest.faults.config.ts).
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one Postgres server; forks keep native handles (pg, COPY) isolated.
    pool: 'forks',
    // Most test time is waiting (servers, PostgreSQL, child processes): three files at a time halve
    // the wall time on a 2-core machine (measured 91 s → 47 s), where the default would run one.
    maxWorkers: 3,
  },
});
