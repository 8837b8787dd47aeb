// Bundles the compiled CLI (dist/cli/main.js and everything it imports from dist/) into one file,
// dist/bin/main.js, which bin/tempcreds.cjs loads. Start-up time is the reason: one file loads
// faster than the ~55 small ESM modules tsc emits (or a chunk per shared module: measured slower).
// A module a command imports with `await import()` still runs only then: esbuild wraps it in an
// init function. Packages stay external (the SDK is loaded with require(), see src/aws/sdk.ts).
// The library (dist/index.js) is not bundled.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bin', { recursive: true, force: true });

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/bin/main.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  // The CommonJS module of the credential-process cache (processCache.cjs) calls require() for
  // Node built-ins; in an ESM bundle that needs a real require.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
});
