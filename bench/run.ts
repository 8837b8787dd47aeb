/**
 * Runs the benchmarks named on the command line (default: all), one after another, each in its
 * own process so one's memory does not count against another's.
 *   npm run bench                 # all
 *   npm run bench -- credentials  # one
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const all = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'timing.ts'].includes(f) && !f.includes('.support'))
  .map((f) => f.replace(/\.ts$/, ''));
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
let failed = 0;
for (const name of chosen) {
  if (!all.includes(name)) {
    console.error(`no benchmark "${name}"; there are: ${all.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== ${name} ==`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], {
    stdio: 'inherit',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (result.status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
