/**
 * The shell formats evaluated by the real shells: every value must come back byte for byte in the
 * environment of a child process, and nothing in it may run. PowerShell and cmd.exe cannot be
 * installed here; their exact text is pinned in test/unit/credentials/exportFormats.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  credentialsEnv,
  formatCredentials,
  SHADOWING_VARIABLES,
  type AssumedRoleOutput,
  type ExportFormat,
} from '../../../src/credentials/exportFormats.js';

/** Values that every POSIX shell and fish must carry verbatim. `touch PWNED` must never run. */
const HOSTILE = [
  "it's",
  "'",
  "''",
  "'\\''",
  'with  spaces ',
  ' ',
  '',
  "$HOME ${USER} $1 $@ $$ $? $'\\n'",
  '$(touch PWNED) `touch PWNED` (touch PWNED) ; touch PWNED && touch PWNED | touch PWNED',
  '%PATH% %% !! !$ !-1 ^&|<>',
  'C:\\temp\\',
  '\\',
  "\\'",
  'a\\\\b \\n \\t \\x41 \\0',
  'say "hi" \'there\'',
  '* ? [ab] {a,b} ~ ~root #comment',
  '-n',
  '--help',
  'pässwörd 🔑 日本 Ωμέγα',
  '‘a’ ‚b‛ “c” „d‟',
  '\u2028\u2029\u00a0\u200b',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+/=',
];

interface ShellRun {
  shell: string;
  format: ExportFormat;
  /** argv after the shell name; FILE is the file with the format's output. */
  args: (file: string) => string[];
}

const RUNS: Record<string, ShellRun> = {
  'bash: eval "$(cat file)"': {
    shell: 'bash',
    format: 'bash',
    args: (file) => ['-c', 'eval "$(cat "$1")" && exec env -0', 'bash', file],
  },
  'bash: . file': {
    shell: 'bash',
    format: 'bash',
    args: (file) => ['-c', '. "$1" && exec env -0', 'bash', file],
  },
  'zsh: eval "$(cat file)"': {
    shell: 'zsh',
    format: 'zsh',
    args: (file) => ['-c', 'eval "$(cat "$1")" && exec env -0', 'zsh', file],
  },
  'zsh with RC_QUOTES: eval "$(cat file)"': {
    shell: 'zsh',
    format: 'zsh',
    args: (file) => ['-c', 'setopt rc_quotes; eval "$(cat "$1")" && exec env -0', 'zsh', file],
  },
  'sh (dash), env format: eval "$(cat file)"': {
    shell: 'sh',
    format: 'env',
    args: (file) => ['-c', 'eval "$(cat "$1")" && exec env -0', 'sh', file],
  },
  'fish: source file': {
    shell: 'fish',
    format: 'fish',
    args: (file) => ['-c', 'source $argv[1]; and exec env -0', file],
  },
  'fish: cat file | source': {
    shell: 'fish',
    format: 'fish',
    args: (file) => ['-c', 'cat $argv[1] | source; and exec env -0', file],
  },
};

let dir: string;
let home: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempcreds-shells-'));
  home = await mkdtemp(join(tmpdir(), 'tempcreds-shells-home-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

/** Fails (never skips) when a shell is missing: CI must have all of them. */
function requireShell(shell: string): void {
  const probe = spawnSync(shell, ['-c', 'exit 0']);
  if (probe.error || probe.status !== 0) {
    throw new Error(`${shell} is not installed, and these tests need it: apt-get install zsh fish`);
  }
}

function outputFor(value: string): AssumedRoleOutput {
  return {
    credentials: {
      accessKeyId: `ASIA${value}`,
      secretAccessKey: value,
      sessionToken: `${value}${value}`,
      expiration: new Date('2026-02-25T06:03:31Z'),
    },
    assumedRoleUser: { assumedRoleId: 'AROAEXAMPLE:s', arn: 'arn:aws:sts::111122223333:assumed-role/r/s' },
    region: value,
  };
}

/** `env -0` output as name -> raw bytes. */
function parseEnv0(stdout: Buffer): Map<string, Buffer> {
  const vars = new Map<string, Buffer>();
  let start = 0;
  for (let end = stdout.indexOf(0, start); end !== -1; end = stdout.indexOf(0, start)) {
    const entry = stdout.subarray(start, end);
    const eq = entry.indexOf(0x3d);
    vars.set(entry.subarray(0, eq).toString('latin1'), entry.subarray(eq + 1));
    start = end + 1;
  }
  return vars;
}

describe.each(Object.entries(RUNS))('%s', (_name, run) => {
  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))(
    'round-trips %s byte for byte',
    async (_label, value) => {
      requireShell(run.shell);
      const output = outputFor(value);
      const work = join(dir, String((counter += 1)));
      const file = `${work}.sh`;
      await writeFile(file, formatCredentials(run.format, output));
      await mkdir(work);

      const child = spawnSync(run.shell, run.args(file), {
        cwd: work,
        env: { PATH: process.env.PATH, HOME: home, LC_ALL: 'C.UTF-8' },
        timeout: 20_000,
      });
      expect(child.error).toBeUndefined();
      expect(child.stderr.toString(), 'the shell complained').toBe('');
      expect(child.status).toBe(0);

      const got = parseEnv0(child.stdout);
      for (const [name, expected] of Object.entries(credentialsEnv(output))) {
        const bytes = got.get(name);
        expect(bytes, `${name} was not exported`).toBeDefined();
        expect(bytes?.toString('utf8'), name).toBe(expected);
        expect(bytes?.equals(Buffer.from(expected, 'utf8')), `${name} bytes`).toBe(true);
      }
      expect(await readdir(work), 'something in the value ran').toEqual([]);
      expect(existsSync(join(home, 'PWNED'))).toBe(false);
    },
  );
});

describe.each(Object.entries(RUNS))('%s: removes what would shadow the new keys', (_name, run) => {
  it('AWS_SECURITY_TOKEN, AWS_PROFILE and AWS_DEFAULT_PROFILE are gone, and the script ends in success', async () => {
    requireShell(run.shell);
    const output = outputFor('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    const file = join(dir, `shadow-${(counter += 1)}.sh`);
    await writeFile(file, formatCredentials(run.format, output));
    for (const inherited of [
      { AWS_SECURITY_TOKEN: 'stale-token', AWS_PROFILE: 'gone', AWS_DEFAULT_PROFILE: 'gone-too' },
      {},
    ]) {
      const child = spawnSync(run.shell, run.args(file), {
        env: { PATH: process.env.PATH, HOME: home, LC_ALL: 'C.UTF-8', ...inherited },
        timeout: 20_000,
      });
      expect(child.stderr.toString(), 'the shell complained').toBe('');
      expect(child.status, JSON.stringify(inherited)).toBe(0);
      const got = parseEnv0(child.stdout);
      for (const name of SHADOWING_VARIABLES) expect(got.has(name), name).toBe(false);
      expect(got.get('AWS_SESSION_TOKEN')?.toString()).toBe(output.credentials.sessionToken);
    }
  });
});
