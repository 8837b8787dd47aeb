/**
 * `tempcreds console ROLE` in each partition, as a user runs it: the test browser given through
 * BROWSER gets a one-shot local link, lands on the federation login with a valid sign-in token and
 * is sent to the partition's console; the sign-in URL is in no process's command line, in no file
 * of the HOME, and in nothing tempcreds printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleWorld, type ConsoleWorld } from './world.js';

describe.each([
  ['aws', 'us-east-1', 'console.aws.amazon.com'],
  ['aws-cn', 'cn-northwest-1', 'console.amazonaws.cn'],
  ['aws-us-gov', 'us-gov-west-1', 'console.amazonaws-us-gov.com'],
])('tempcreds console in %s', (partition, region, consoleHost) => {
  let world: ConsoleWorld;
  beforeAll(async () => {
    world = await startConsoleWorld(region);
  });
  afterAll(() => world?.stop());

  it('opens the browser on a one-shot local link that leads to the federation login and the console', async () => {
    const { fixture, federation } = world;
    const { result, record } = await world.console([
      fixture.world.roleName,
      '--source-profile',
      'sts_user',
      '--duration',
      '2h',
      '--destination',
      'firehose',
    ]);
    expect(result.stderr).toMatch(
      new RegExp(
        `^Signed in to the ${partition} console as arn:${partition}:sts::123456789012:assumed-role/${fixture.world.roleName}/tempcreds-\\S+ in your browser \\(${process.execPath.replace(/[/.]/g, '\\$&')}\\); console session 2h\\.\\n$`,
      ),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');

    // The browser's command line held a local link only: 127.0.0.1, a random path of 256 bits.
    const local = record!.argv[0]!;
    expect(local).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}$/);
    const [first, login, again] = record!.hops;
    expect(first!.status).toBe(302);
    const signin = new URL(first!.location!);
    expect(`${signin.origin}${signin.pathname}`).toBe(federation.url);
    expect(signin.searchParams.get('Action')).toBe('login');
    expect(signin.searchParams.get('Issuer')).toBe('tempcreds');
    const destination = `https://${consoleHost}/firehose/home?region=${region}`;
    expect(signin.searchParams.get('Destination')).toBe(destination);
    const token = signin.searchParams.get('SigninToken')!;
    expect(federation.tokens.get(token)).toMatchObject({ kind: 'role', sessionDuration: 7200 });
    // The federation login took the token and sent the browser to the console.
    expect(login).toMatchObject({ status: 302, location: destination });
    // Once used, the local link is gone.
    expect(again!.error).toBe('ECONNREFUSED');

    // getSigninToken was given the role session with SessionDuration; AssumeRole had DurationSeconds.
    expect(federation.log.map((e) => [e.action, e.status, e.sessionDuration])).toEqual([
      ['getSigninToken', 200, '7200'],
      ['login', 302, undefined],
    ]);
    const assumeRole = fixture.proxy!.log.filter((e) => e.action === 'AssumeRole');
    expect(assumeRole.map((e) => e.params.DurationSeconds)).toEqual(['7200']);

    // No command line showed the sign-in URL or its token while the browser ran (the scan did
    // read them all: it found the local link in the browser's own).
    expect(record!.cmdline.read).toBeGreaterThan(3);
    expect(record!.cmdline.localUrl!.length).toBeGreaterThan(0);
    expect(record!.cmdline.signinUrl).toEqual([]);
    expect(record!.cmdline.signinToken).toEqual([]);
    // Nor did any file of the HOME, or what tempcreds printed.
    for (const { path, text } of await world.homeFiles()) expect(text, path).not.toContain(token);
    expect(result.stderr + result.stdout).not.toContain(token);
  });

  it('--print writes the sign-in URL to stdout only, for the console home of the region; --debug shows no secret', async () => {
    const { fixture, federation } = world;
    const { result, record } = await world.console([
      fixture.world.roleArn,
      '--profile',
      'sts_user',
      '--print',
      '--debug',
    ]);
    expect(result.code).toBe(0);
    expect(record).toBeUndefined(); // no browser
    const url = new URL(result.stdout.trim());
    expect(url.searchParams.get('Destination')).toBe(`https://${consoleHost}/console/home?region=${region}`);
    expect(federation.tokens.has(url.searchParams.get('SigninToken')!)).toBe(true);
    expect(result.stderr).toMatch(/signs in whoever holds it for 15 minutes/);
    // The debug log says what happened (the role assumed), but never the token nor the session it came from.
    expect(result.stderr).toMatch(
      new RegExp(
        `\\[debug\\] sign-in token for arn:${partition}:sts::123456789012:assumed-role/\\S+ \\(AssumeRole, console session 3600 s\\), landing on https://${consoleHost}/console/home`,
      ),
    );
    expect(result.stderr).not.toContain(url.searchParams.get('SigninToken')!);
    const sent = federation.log.filter((e) => e.action === 'getSigninToken').at(-1)!;
    const session = fixture.proxy!.issued(sent.accessKeyId!)!;
    expect(session.secretAccessKey.length).toBeGreaterThan(0);
    expect(result.stderr).not.toContain(session.secretAccessKey);
    expect(result.stderr).not.toContain(session.sessionToken);
    const login = await fetch(url, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe(`https://${consoleHost}/console/home?region=${region}`);
  });
});
