/**
 * Builds the CLI before the suite when `dist/` is missing or older than the sources, so that
 * `npx vitest run <file>` works on a fresh clone and never tests a stale build: the CLI tests run
 * `bin/tempcreds.cjs`, which loads `dist/`. (`npm test` builds first anyway; then this is a no-op.)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function builtAt(): number {
  try {
    return Math.min(...['dist/bin/main.js', 'dist/index.js'].map((p) => statSync(join(root, p)).mtimeMs));
  } catch {
    return -1;
  }
}

export default function setup(): void {
  const sources = Math.max(
    newestMtime(join(root, 'src')),
    ...['package.json', 'tsconfig.build.json', 'scripts/bundle-cli.mjs'].map((p) =>
      newestMtime(join(root, p)),
    ),
  );
  if (builtAt() >= sources) return;
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed: the CLI tests need a build.');
}
