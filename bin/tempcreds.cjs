#!/usr/bin/env node
'use strict';
// Launcher for the compiled CLI (npm run build; dist/bin/ is its bundle, see scripts/bundle-cli.mjs).
// CommonJS on purpose: the credential-process cache hit runs before every AWS command a user
// types, and a CommonJS start skips the ESM loader; everything else is loaded (as ESM) only on a miss.

// The AWS SDK warns on every start under Node 20; users should not see that on every command.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === 'string' ? warning : warning && warning.message;
  if (typeof text === 'string' && text.startsWith('NodeVersionSupportWarning')) return;
  return emitWarning.call(process, warning, ...rest);
};

const argv = process.argv.slice(2);
const { credentialProcessCacheHit } = require('../dist/cli/fastPath.cjs');
credentialProcessCacheHit(argv, process.env)
  .then(async (hit) => {
    if (hit) return;
    const { main } = await import('../dist/bin/main.js');
    process.exitCode = await main(argv);
  })
  .catch((err) => {
    process.stderr.write(`tempcreds: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
