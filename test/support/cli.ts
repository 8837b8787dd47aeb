/** Run the built CLI as a user does: a child process with its own HOME and environment. */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CLI = resolve(import.meta.dirname, '../../bin/tempcreds.cjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
  /** Run as another user (root only): see test/support/unprivileged.ts. */
  uid?: number;
  gid?: number;
}

export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: options.env ?? process.env,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface TempHome {
  home: string;
  configFile: string;
  credentialsFile: string;
  /** A clean environment: this HOME, its ~/.aws files, no AWS_* from the developer's shell. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function makeTempHome(): Promise<TempHome> {
  const home = await mkdtemp(join(tmpdir(), 'tempcreds-home-'));
  await mkdir(join(home, '.aws'), { mode: 0o700 });
  const configFile = join(home, '.aws', 'config');
  const credentialsFile = join(home, '.aws', 'credentials');
  const base: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('TEMPCREDS_')) base[key] = value;
  }
  return {
    home,
    configFile,
    credentialsFile,
    env: (extra = {}) => ({
      ...base,
      HOME: home,
      USERPROFILE: home,
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      TEMPCREDS_CACHE_DIR: join(home, '.cache', 'tempcreds'),
      ...extra,
    }),
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}
