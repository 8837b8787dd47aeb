/**
 * For tests of input that does not end: the CLI with its stdin left open (`tail -f | tempcreds`),
 * an endpoint that takes calls and never answers them, and polling for what arrives meanwhile.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CLI } from '../../support/cli.js';

export interface PipedCli {
  /** Writes to the child's stdin, which stays open until `end()`. */
  write(text: string): void;
  end(): void;
  kill(signal: NodeJS.Signals): void;
  /** Still running. */
  readonly running: boolean;
  readonly stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The built CLI as a child process whose stdin is a pipe the test writes to and leaves open. */
export function pipedCli(args: string[], env: NodeJS.ProcessEnv): PipedCli {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  let running = true;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  // A child that a failed test leaves behind must not outlive the run.
  const guard = setTimeout(() => child.kill('SIGKILL'), 50_000);
  void exited.finally(() => clearTimeout(guard));
  return {
    write: (text) => void child.stdin.write(text),
    end: () => void child.stdin.end(),
    kill: (signal) => void child.kill(signal),
    get running() {
      return running;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

export interface BlackHole {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** Requests received (none is ever answered). */
  readonly requests: number;
  stop(): Promise<void>;
}

/** An endpoint that reads each request and never answers: a call to it stays in flight until aborted. */
export async function startBlackHole(): Promise<BlackHole> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, _res: ServerResponse) => {
    req.resume();
    req.on('end', () => (requests += 1));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Polls `check` every 50 ms until it holds; fails, saying what was awaited, after `timeoutMs`: a
 * bound for giving up, not a measure (a CLI's start-up alone takes seconds on a loaded machine).
 */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
