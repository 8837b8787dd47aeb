/**
 * The one-shot local link that hands the sign-in URL to a browser: one redirect, then gone; the
 * wrong Host, path, method or user turned away without using it up; closed when the time is up.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openInBrowser, startHandoff, type RefusedRequest } from '../../../src/console/handoff.js';
import { TempcredsError } from '../../../src/errors.js';
import { unprivileged } from '../../support/unprivileged.js';
import { BROWSER_SCRIPT } from './world.js';

const TARGET = 'https://signin.amazonaws.cn/federation?Action=login&SigninToken=secret-token';

/** A GET with the Host header we choose (fetch does not let one set it). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown> }>((done, fail) => {
    const req = request(url, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

const errorCode = (promise: Promise<unknown>) =>
  promise.then(
    () => 'answered',
    (err: NodeJS.ErrnoException) => err.code,
  );

describe('the one-shot sign-in link', () => {
  it('answers one request with the redirect, then is gone', async () => {
    const handoff = await startHandoff({ target: TARGET });
    expect(handoff.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}$/);
    const first = await get(handoff.url);
    expect(first.status).toBe(302);
    expect(first.headers).toMatchObject({
      location: TARGET,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    await handoff.served;
    expect(await errorCode(get(handoff.url))).toBe('ECONNREFUSED');
  });

  it('turns away another Host (DNS rebinding), another path or method, without using the link up', async () => {
    const refused: RefusedRequest[] = [];
    const handoff = await startHandoff({ target: TARGET, onRefused: (r) => refused.push(r) });
    const { port, pathname } = new URL(handoff.url);
    expect((await get(handoff.url, { Host: `attacker.example:${port}` })).status).toBe(421);
    expect((await get(handoff.url, { Host: `localhost:${port}` })).status).toBe(421);
    expect((await get(`http://127.0.0.1:${port}${pathname}x`)).status).toBe(404);
    expect((await get(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await get(handoff.url, {}, 'POST')).status).toBe(405);
    expect(refused.map((r) => r.reason)).toEqual(['host', 'host', 'path', 'path', 'method']);
    expect((await get(handoff.url)).status).toBe(302);
    await handoff.served;
  });

  it.skipIf(unprivileged.uid === undefined)(
    "turns away another user's process (the socket's owner in /proc/net/tcp), and still serves the user's",
    async () => {
      const refused: RefusedRequest[] = [];
      const handoff = await startHandoff({ target: TARGET, onRefused: (r) => refused.push(r) });
      const script = `fetch(${JSON.stringify(handoff.url)}, { redirect: 'manual' }).then((r) => console.log(r.status))`;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { ...unprivileged });
      expect(stdout.trim()).toBe('403');
      expect(refused).toEqual([{ reason: 'user', uid: unprivileged.uid }]);
      expect((await get(handoff.url)).status).toBe(302);
      await handoff.served;
    },
  );

  it('serves when who asked cannot be told (not Linux), as the user', async () => {
    const handoff = await startHandoff({ target: TARGET, peerUid: () => undefined, ownUid: 1234 });
    expect((await get(handoff.url)).status).toBe(302);
  });

  it('closes when nobody came in time', async () => {
    const handoff = await startHandoff({ target: TARGET, timeoutMs: 1000 });
    const error = await handoff.served.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(TempcredsError);
    expect((error as TempcredsError).message).toBe('The browser did not open the sign-in link within 1 s.');
    expect(await errorCode(get(handoff.url))).toBe('ECONNREFUSED');
  });
});

describe('openInBrowser', () => {
  it('resolves with the command that opened it, once the browser came', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tempcreds-handoff-'));
    const record = join(dir, 'record.json');
    const opened = await openInBrowser(TARGET.replace('https://signin.amazonaws.cn', 'http://127.0.0.1:9'), {
      commands: (url) => [
        { command: '/nonexistent/browser', args: [url] },
        { command: process.execPath, args: [BROWSER_SCRIPT, url] },
      ],
      env: { ...process.env, BROWSER_RECORD: record },
    });
    expect(opened).toBe(process.execPath);
    // The browser goes on after the link was used: wait for it before cleaning up.
    for (let i = 0; i < 200 && !existsSync(record); i++) await new Promise((r) => setTimeout(r, 50));
    await rm(dir, { recursive: true, force: true });
  });

  it('fails, naming what it tried, when no command runs', async () => {
    const error = await openInBrowser(TARGET, {
      commands: (url) => [
        { command: 'false', args: [url] },
        { command: '/nonexistent/browser', args: [url] },
      ],
    }).catch((err: unknown) => err);
    expect((error as TempcredsError).message).toBe(
      'No browser could be started (tried false, /nonexistent/browser).',
    );
  });
});
