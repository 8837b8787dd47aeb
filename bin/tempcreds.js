#!/usr/bin/env node
// Launcher for the compiled CLI in dist/ (npm run build).

// The AWS SDK warns on every start under Node 20; users should not see that on every command.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (typeof text === 'string' && text.startsWith('NodeVersionSupportWarning')) return;
  return emitWarning.call(process, warning, ...rest);
};

const argv = process.argv.slice(2);
// credential-process runs before every AWS command: answer a cache hit without loading the CLI.
const { credentialProcessCacheHit } = await import('../dist/cli/fastPath.js');
if (!(await credentialProcessCacheHit(argv, process.env))) {
  const { main } = await import('../dist/cli/main.js');
  process.exitCode = await main(argv);
}
