import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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

  // The SDK is loaded with require() (src/aws/sdk.ts), which the static walk above cannot see:
  // load the built CLI in a fresh Node and list the SDK packages in its module cache.
  it('the built CLI (the bundle the launcher loads) has loaded no AWS SDK package before a command runs', () => {
    expect(sdkPackagesLoadedBy('dist/bin/main.js')).toEqual([]);
  });

  it('the check above sees a package loaded through src/aws/sdk.ts', () => {
    expect(sdkPackagesLoadedBy('dist/s3/listObjects.js')).toContain('@aws-sdk/client-s3');
  });

  // The agent's packages (src/agent/deps.ts) load with require() too, and only for `agent`.
  it('the built CLI has loaded neither SQLite, YAML, the schema validator nor Prometheus before a command runs', () => {
    expect(packagesLoadedBy('dist/bin/main.js', AGENT_PACKAGES)).toEqual([]);
    expect([...staticPackages('src/cli/main.ts')].filter((p) => AGENT_PACKAGES.test(p))).toEqual([]);
  });

  it('the check above sees the agent packages once the agent loads them', () => {
    const script = `const d = await import(${JSON.stringify(pathToFileURL(resolve(import.meta.dirname, '../../../dist/agent/deps.js')).href)});
      d.sqlite(); d.yaml(); d.ajv(); d.promClient();`;
    expect(packagesLoadedBy(undefined, AGENT_PACKAGES, script)).toEqual([
      'ajv',
      'better-sqlite3',
      'prom-client',
      'yaml',
    ]);
  });
});

const AGENT_PACKAGES = /^(better-sqlite3|yaml|ajv|prom-client|tinyglobby|picomatch)$/;

/** The `@aws-sdk/*` and `@smithy/*` packages in Node's module cache after importing a built module. */
function sdkPackagesLoadedBy(distModule: string): string[] {
  return packagesLoadedBy(distModule, /^@(aws-sdk|smithy)\//);
}

/** The packages matching `wanted` in Node's module cache after importing a built module (or running `body`). */
function packagesLoadedBy(distModule: string | undefined, wanted: RegExp, body?: string): string[] {
  const root = resolve(import.meta.dirname, '../../..');
  let load = body ?? '';
  if (distModule) {
    const file = resolve(root, distModule);
    if (!existsSync(file)) throw new Error(`${distModule} is missing: run npm run build first`);
    load = `await import(${JSON.stringify(pathToFileURL(file).href)});`;
  }
  const script = `
    import { createRequire } from 'node:module';
    ${load}
    console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
  const names = (JSON.parse(out.toString()) as string[]).map((path) =>
    /node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)[/\\](?!.*node_modules)/.exec(path)?.[1]?.replace('\\', '/'),
  );
  return [...new Set(names.filter((name): name is string => name !== undefined && wanted.test(name)))].sort();
}
