import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Packages reachable from a module through static imports only (dynamic `import()` is lazy). */
function staticPackages(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^import\s+(?!type\b)(?:[^'"]*?from\s+)?['"]([^'"]+)['"]/gm)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.'))
        walk(resolve(dirname(file), specifier.replace(/\.js$/, '.ts').replace(/\.cjs$/, '.cts')));
      else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  };
  walk(resolve(import.meta.dirname, '../../..', entry));
  return packages;
}

describe('start-up cost', () => {
  it('the credential-process cache hit imports Node built-ins only', () => {
    expect([...staticPackages('src/cli/fastPath.cts')]).toEqual([]);
  });

  it('the CLI loads no AWS SDK client until a command needs it', () => {
    const loaded = [...staticPackages('src/cli/main.ts')];
    expect(loaded.filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);
  });
});
