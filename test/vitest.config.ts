import { defineConfig } from 'vitest/config';

/**
 * Suites by concern. `unit` is fast and needs nothing; the rest start real servers on
 * loopback (and a real Redis for the tests that say so). All of them run in `npm test`.
 */
export default defineConfig({
  // One graphql for everyone: vitest would hand our sources graphql's ESM build while
  // Apollo (loaded by Node) gets the CommonJS one, and their classes don't mix.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    // Tests that build an ApolloGateway of their own must not phone home either (our
    // gateway turns it off from config; see supergraph.apolloDataCollection).
    env: { APOLLO_TELEMETRY_DISABLED: 'true' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Integration suites start servers; two cores do not gain from more workers.
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ['default'],
  },
});
