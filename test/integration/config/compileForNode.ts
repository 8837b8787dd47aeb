/**
 * Transpiles a TypeScript entry file and the relative imports it reaches into plain JavaScript
 * in a temporary folder, so tests can start dozens of processes with bare `node`: starting each
 * through tsx costs about half a second of CPU, which 30 processes on two cores cannot afford.
 */
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Returns the folder (remove it when done) and the path of the compiled entry. */
export async function compileForNode(entry: string): Promise<{ dir: string; main: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tempcreds-compiled-'));
  // Packages (proper-lockfile, ...) resolve from the project's node_modules.
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const seen = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    const out = join(dir, relative(ROOT, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, outputText);
    const imports = [...source.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)].map((m) => m[1] as string);
    await Promise.all(imports.map((spec) => visit(resolve(dirname(file), `${spec}.ts`))));
  };
  await visit(resolve(entry));
  // The compiled files are ES modules.
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  return { dir, main: join(dir, relative(ROOT, resolve(entry))).replace(/\.ts$/, '.js') };
}
