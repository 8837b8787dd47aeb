/**
 * Hands the sign-in URL to a browser without putting it on a command line (where every user of
 * the machine can read it in /proc/PID/cmdline): the browser is given a one-shot local URL,
 * `http://127.0.0.1:PORT/<256 random bits>`, whose server answers one request with a redirect to
 * the sign-in URL and closes. Before that request, what a local attacker can see (the local URL in
 * the browser's command line) is only worth a race: the server answers loopback only, checks the
 * Host header (no DNS rebinding), a random path, on Linux only the user's own processes (the
 * socket's owner in /proc/net/tcp), once, and closes after two minutes either way.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TempcredsError } from '../errors.js';
import type { BrowserCommand } from './browser.js';
import { peerUid as procPeerUid, type Endpoint } from './peerUid.js';

/** A request the local server turned away: another user's process, a foreign Host, a wrong path or method. */
export interface RefusedRequest {
  /** Why: another user's process, a foreign Host header, a wrong path (or a used link), or not a GET. */
  reason: 'user' | 'host' | 'path' | 'method';
  /** The uid of the process that asked, for `user`. */
  uid?: number;
}

/** The one-shot link's target and its checks. */
export interface HandoffOptions {
  /** Where the one request is sent on: the sign-in URL. */
  target: string;
  /** How long the local URL lives (default 120 s). */
  timeoutMs?: number;
  /** Who opened a connection (default: /proc/net/tcp on Linux, else unknown). */
  peerUid?: (client: Endpoint, server: Endpoint) => number | undefined;
  /** This process's uid (default `process.getuid()`). */
  ownUid?: number;
  /** Told of each request turned away (the link stays usable). */
  onRefused?: (refused: RefusedRequest) => void;
}

/** A running one-shot link. */
export interface Handoff {
  /** What the browser gets: worthless once used, or after the timeout. */
  url: string;
  /** Resolves once the browser has been sent on; rejects when the time runs out first. */
  served: Promise<void>;
  /** Stops serving at once (the link is then worthless). */
  close(): Promise<void>;
}

/** Starts the one-shot server on 127.0.0.1 (a random port). */
export async function startHandoff(options: HandoffOptions): Promise<Handoff> {
  const secret = randomBytes(32).toString('base64url');
  const ownUid = options.ownUid ?? process.getuid?.();
  const lookup = options.peerUid ?? procPeerUid;
  let port = 0;
  let done = false;
  let settle!: { resolve: () => void; reject: (err: Error) => void };
  const served = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  served.catch(() => undefined); // the caller awaits it; never an unhandled rejection

  const refuse = (res: ServerResponse, status: number, refused: RefusedRequest) => {
    res.writeHead(status, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', Connection: 'close' });
    res.end(`${status === 403 ? 'Not yours' : 'Not here'}.\n`);
    options.onRefused?.(refused);
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (done) return refuse(res, 410, { reason: 'path' });
    if (req.headers.host !== `127.0.0.1:${port}`) return refuse(res, 421, { reason: 'host' });
    if (req.method !== 'GET') return refuse(res, 405, { reason: 'method' });
    if (!samePath(req.url ?? '', `/${secret}`)) return refuse(res, 404, { reason: 'path' });
    const uid = lookup(
      { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
      { address: '127.0.0.1', port },
    );
    if (uid !== undefined && ownUid !== undefined && uid !== ownUid)
      return refuse(res, 403, { reason: 'user', uid });
    done = true;
    res.writeHead(302, {
      Location: options.target,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      Connection: 'close',
      'Content-Length': '0',
    });
    res.end(() => settle.resolve());
  };

  const server = createServer(handle);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  port = (server.address() as AddressInfo).port;
  const timer = setTimeout(() => {
    done = true;
    settle.reject(
      new TempcredsError(
        `The browser did not open the sign-in link within ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s.`,
        {
          kind: 'failed',
          fix: 'Check that BROWSER (or xdg-open) opens a browser, or use --print and open the URL yourself.',
        },
      ),
    );
  }, options.timeoutMs ?? 120_000);
  const close = async () => {
    clearTimeout(timer);
    done = true;
    await new Promise((closed) => {
      server.close(closed);
      server.closeAllConnections();
    });
  };
  served.then(close, close);
  return { url: `http://127.0.0.1:${port}/${secret}`, served, close };
}

function samePath(got: string, want: string): boolean {
  const a = Buffer.from(got);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Starts a browser command (`child_process.spawn`'s shape). */
export type SpawnBrowser = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

/** How {@link openInBrowser} opens the link, on top of the link's own options. */
export interface OpenOptions extends Omit<HandoffOptions, 'target'> {
  /** The browser commands to try for the local URL, in order (see `browserCommands`). */
  commands: (localUrl: string) => BrowserCommand[];
  /** The browser's environment (default this process's). */
  env?: NodeJS.ProcessEnv;
  /** How a command is started (default `child_process.spawn`). */
  spawn?: SpawnBrowser;
}

/**
 * Opens the sign-in URL in a browser through a one-shot local URL ({@link startHandoff}): tries
 * each command until one runs (a command that exits non-zero, or cannot be started, makes way for
 * the next), then waits for the browser's request. Resolves with the command that opened it.
 */
export async function openInBrowser(target: string, options: OpenOptions): Promise<string> {
  const handoff = await startHandoff({ ...options, target });
  try {
    const [command] = await Promise.all([
      launch(options.commands(handoff.url), handoff.served, options),
      handoff.served,
    ]);
    return command;
  } finally {
    await handoff.close();
  }
}

async function launch(
  commands: BrowserCommand[],
  served: Promise<void>,
  options: OpenOptions,
): Promise<string> {
  const tried: string[] = [];
  for (const command of commands) {
    if ((await tryCommand(command, served, options)) !== 'failed') return command.command;
    tried.push(command.command);
  }
  throw new TempcredsError(`No browser could be started (tried ${tried.join(', ')}).`, {
    kind: 'failed',
    fix: "Set BROWSER to your browser's command (BROWSER=firefox), or use --print and open the URL yourself.",
  });
}

/** `running`: started, and exited 0 (an opener) or is still running when the request came. */
function tryCommand(
  { command, args }: BrowserCommand,
  served: Promise<void>,
  options: OpenOptions,
): Promise<'served' | 'running' | 'failed'> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      // Its own process group, so that Ctrl-C here does not close the browser.
      child = (options.spawn ?? nodeSpawn)(command, args, {
        stdio: 'ignore',
        detached: true,
        env: options.env,
      });
    } catch {
      return resolve('failed');
    }
    let settled = false;
    const settle = (outcome: 'served' | 'running' | 'failed') => {
      if (settled) return;
      settled = true;
      if (outcome !== 'failed') child.unref();
      resolve(outcome);
    };
    child.once('error', () => settle('failed'));
    child.once('exit', (code) => settle(code === 0 ? 'running' : 'failed'));
    served.then(
      () => settle('served'),
      () => settle('running'),
    );
  });
}
