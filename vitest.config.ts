import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The credential-process hit path is CommonJS TypeScript (.cts): transform it like the rest.
  esbuild: { include: /\.(c|m)?tsx?$/ },
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ first when it is missing or stale (the CLI tests run the built launcher).
    globalSetup: ['test/support/globalSetup.ts'],
    // Two cores: integration files each start their own local AWS (moto), so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
