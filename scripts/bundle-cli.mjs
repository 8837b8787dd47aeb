// Bundles the compiled CLI (dist/cli/main.js and everything it imports from dist/) into
// dist/bin/, which bin/tempcreds.cjs loads. Start-up time is the reason: one file, plus a chunk
// per lazily imported command module, loads about 60 ms faster than the ~55 small ESM modules
// tsc emits. Packages stay external (the SDK is loaded with require(), see src/aws/sdk.ts).
// The library (dist/index.js) is not bundled.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/bin',
  bundle: true,
  splitting: true, // keeps each `await import(...)` of a command lazy
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
