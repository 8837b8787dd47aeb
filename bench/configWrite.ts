/**
 * Issue 8's "a 10 MB credentials file takes 3-6 s per write": one `writeProfile` (a session's
 * four keys into the credentials file, the region into the config file) into a 10 MB credentials
 * file of ~47,000 profiles, with the code before the fix (git ref CONFIG_BENCH_BEFORE, default the
 * commit this work started from) and with the code as it is. Each side is bundled with esbuild
 * (as the CLI is) and measured in a process of its own: wall time and CPU time, median of 7 writes
 * after one warm-up, each into a fresh copy of the file.
 * Run: npm run bench -- configWrite
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const BEFORE = process.env.CONFIG_BENCH_BEFORE ?? '52bc941';
const RUNS = 7;
const SIZE = 10 * 1024 * 1024;

interface Figures {
  wallMs: number;
  cpuMs: number;
}

type WriteProfile = (
  files: { configFile: string; credentialsFile: string },
  profile: string,
  changes: Record<string, Record<string, string>>,
) => Promise<unknown>;

/** In the child: time RUNS writes with the bundle given, print the medians as JSON. */
async function measure(bundle: string, dir: string): Promise<void> {
  const { writeProfile } = (await import(bundle)) as { writeProfile: WriteProfile };
  const files = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
  const samples: Figures[] = [];
  for (let run = 0; run <= RUNS; run++) {
    copyFileSync(join(dir, 'credentials.seed'), files.credentialsFile);
    copyFileSync(join(dir, 'config.seed'), files.configFile);
    const started = performance.now();
    const cpu = process.cpuUsage();
    await writeProfile(files, 'target-role-profile', {
      credentials: {
        aws_access_key_id: 'ASIAEXAMPLEEXAMPLE00',
        aws_secret_access_key: 'x'.repeat(40),
        aws_session_token: 't'.repeat(600),
        aws_credential_expiration: '2030-01-01T00:00:00Z',
      },
      config: { region: 'cn-northwest-1' },
    });
    const used = process.cpuUsage(cpu);
    if (run > 0)
      samples.push({ wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 });
  }
  const median = (key: keyof Figures) =>
    samples.map((s) => s[key]).sort((a, b) => a - b)[Math.floor(RUNS / 2)] ?? 0;
  console.log(JSON.stringify({ wallMs: median('wallMs'), cpuMs: median('cpuMs') }));
}

/** A credentials file of at least 10 MB (profiles with session keys), and a config of 1,000 profiles. */
function seed(dir: string): number {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < SIZE; i++) {
    const section = `[profile-${i}]\naws_access_key_id = ASIA${String(i).padStart(16, '0')}\naws_secret_access_key = ${'s'.repeat(40)}\naws_session_token = ${'t'.repeat(80)}\n\n`;
    parts.push(section);
    size += section.length;
  }
  writeFileSync(join(dir, 'credentials.seed'), parts.join(''));
  writeFileSync(
    join(dir, 'config.seed'),
    Array.from(
      { length: 1000 },
      (_, i) => `[profile profile-${i}]\nregion = us-east-1\noutput = json\n`,
    ).join('\n'),
  );
  return parts.length;
}

/** The sources of `ref` (src/), bundled around src/config/write.ts. */
async function bundle(ref: string | undefined, dir: string): Promise<string> {
  let source = join(ROOT, 'src');
  if (ref !== undefined) {
    const tree = join(dir, `src-${ref}`);
    mkdirSync(tree);
    const archive = spawnSync('git', ['-C', ROOT, 'archive', ref, 'src'], { maxBuffer: 1 << 28 });
    if (archive.status !== 0) throw new Error(`git archive ${ref}: ${archive.stderr.toString()}`);
    spawnSync('tar', ['-x', '-C', tree], { input: archive.stdout });
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
    source = join(tree, 'src');
  }
  const outfile = join(dir, `write-${ref ?? 'now'}.mjs`);
  await build({
    entryPoints: [join(source, 'config', 'write.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tempcreds-bench-config-'));
  try {
    const profiles = seed(dir);
    // The bundles keep their packages external: they resolve from here.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const sides: Array<[string, string]> = [
      [`before (${BEFORE})`, await bundle(BEFORE, dir)],
      ['now', await bundle(undefined, dir)],
    ];
    console.log(
      `writeProfile into a ${(SIZE / 1024 / 1024).toFixed(0)} MB credentials file of ${profiles.toLocaleString('en')} profiles, median of ${RUNS}:`,
    );
    for (const [name, file] of sides) {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', import.meta.filename, '--measure', file, dir],
        {
          encoding: 'utf8',
          cwd: ROOT,
        },
      );
      if (child.status !== 0) throw new Error(`${name}: ${child.stderr}`);
      const figures = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Figures;
      console.log(`  ${name}: ${figures.wallMs.toFixed(0)} ms wall, ${figures.cpuMs.toFixed(0)} ms CPU`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--measure') await measure(process.argv[3] ?? '', process.argv[4] ?? '');
else await main();
