/**
 * `tempcreds console` from every kind of source, in China: a role profile, role chaining (no
 * DurationSeconds, no SessionDuration, 1 h, with the warning), long-lived keys through
 * GetFederationToken, a profile's written session; AWS's refusals explained; bad input refused
 * before any call; the BROWSER list tried in order.
 */
import { appendFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { writeKeysProfile } from '../../support/world.js';
import { BROWSER_SCRIPT, startConsoleWorld, type ConsoleWorld } from './world.js';

const REGION = 'cn-northwest-1';
const ROLE = 'console-role';
const ROLE_ARN = `arn:aws-cn:iam::123456789012:role/${ROLE}`;

let world: ConsoleWorld;
const proxyLog = () => world.fixture.proxy!.log;
const stsCalls = (action: string) => proxyLog().filter((e) => e.action === action);
const lastSignin = () => world.federation.log.filter((e) => e.action === 'getSigninToken').at(-1)!;
const tokenOf = (stdout: string) => new URL(stdout.trim()).searchParams.get('SigninToken')!;

beforeAll(async () => {
  // The role trusts dev's session of it too, so that it can assume it again (role chaining).
  world = await startConsoleWorld(REGION, {
    roleName: ROLE,
    alsoTrusted: [`arn:aws-cn:sts::123456789012:assumed-role/${ROLE}/dev`],
  });
  const { home, aws } = world.fixture;
  await appendFile(
    home.configFile,
    `[profile dev]\nrole_arn = ${ROLE_ARN}\nsource_profile = sts_user\nduration_seconds = 7200\nrole_session_name = dev\n` +
      `[profile chain]\nrole_arn = ${ROLE_ARN}\nsource_profile = dev\nregion = ${REGION}\n`,
  );
  await writeKeysProfile(home, 'admin', aws.admin, REGION);
  const env = world.fixture.env();
  for (const [profile, source] of [
    ['sess', 'sts_user'],
    ['chained-sess', 'dev'],
  ]) {
    const r = await runCli(['assume', ROLE, '--source-profile', source!, '--write-profile', profile!], {
      env,
    });
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(() => world?.stop());

describe('tempcreds console: sources', () => {
  it('a role profile assumed from long-term keys: --duration wins over duration_seconds, and is the console session', async () => {
    world.fixture.proxy!.clearLog();
    const { result } = await world.console(['--profile', 'dev', '--duration', '3h', '--print']);
    expect(result.code, result.stderr).toBe(0);
    expect(stsCalls('AssumeRole').map((e) => e.params.DurationSeconds)).toEqual(['10800']);
    expect(lastSignin()).toMatchObject({ status: 200, sessionDuration: '10800' });
    expect(result.stderr).toMatch(/assumed-role\/console-role\/.*console session 3h\)/);
  });

  it('role chaining: the role assumed without DurationSeconds, no SessionDuration, 1 h, and a warning that says why', async () => {
    world.fixture.proxy!.clearLog();
    const { result, record } = await world.console([ROLE, '--source-profile', 'dev', '--duration', '4h']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: The credentials of profile dev are temporary: AWS signs a role assumed with them into the console only for the default 1 hour \(without DurationSeconds\), so the duration asked for \(14400\) is not used\./,
    );
    expect(result.stderr).toMatch(/console session 1h\.\n$/);
    const assumed = stsCalls('AssumeRole');
    // dev's own session (duration_seconds 7200, from long-term keys), then the chained one without a duration.
    expect(assumed.map((e) => e.params.DurationSeconds)).toEqual(['7200', undefined]);
    expect(lastSignin()).toMatchObject({ status: 200, sessionDuration: undefined });
    expect(record!.hops[1]).toMatchObject({ status: 302 });
  });

  it('a role profile whose source is itself a role session is role chaining too', async () => {
    world.fixture.proxy!.clearLog();
    const { result } = await world.console(['--profile', 'chain', '--print']);
    expect(result.code, result.stderr).toBe(0);
    expect(stsCalls('AssumeRole').map((e) => e.params.DurationSeconds)).toEqual(['7200', undefined]);
    expect(lastSignin()).toMatchObject({ status: 200, sessionDuration: undefined });
  });

  it('long-lived keys sign in through GetFederationToken, whose DurationSeconds is the console session', async () => {
    world.fixture.proxy!.clearLog();
    const { result } = await world.console(['--profile', 'admin', '--duration', '2h', '--print']);
    expect(result.code, result.stderr).toBe(0);
    expect(stsCalls('GetFederationToken').map((e) => [e.params.Name, e.params.DurationSeconds])).toEqual([
      ['admin', '7200'],
    ]);
    expect(JSON.parse(stsCalls('GetFederationToken')[0]!.params.Policy!)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    expect(lastSignin()).toMatchObject({ status: 200, sessionDuration: undefined });
    expect(world.federation.tokens.get(tokenOf(result.stdout))).toMatchObject({
      kind: 'federation',
      arn: 'arn:aws-cn:sts::123456789012:federated-user/admin',
    });
    const login = await fetch(result.stdout.trim(), { redirect: 'manual' });
    expect(login.status).toBe(302);
  });

  it("the runbook's sts_user may not call GetFederationToken: AWS's refusal, and the way that works", async () => {
    const { result } = await world.console(['--profile', 'sts_user', '--print']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^tempcreds: GetFederationToken failed: AccessDenied: .*sts:GetFederationToken/,
    );
    expect(result.stderr).toContain(
      '  fix: Long-lived keys sign in to the console through sts:GetFederationToken: allow it to arn:aws-cn:iam::123456789012:user/',
    );
    expect(result.stderr).toContain(
      'or sign in to a role instead: tempcreds console ROLE --source-profile sts_user',
    );
  });

  it('a written role session signs in as it is, with SessionDuration when asked', async () => {
    world.fixture.proxy!.clearLog();
    const { result } = await world.console(['--profile', 'sess', '--duration', '2h', '--print']);
    expect(result.code, result.stderr).toBe(0);
    expect(stsCalls('AssumeRole')).toEqual([]);
    expect(lastSignin()).toMatchObject({ status: 200, sessionDuration: '7200' });
  });

  it('a written chained session: AWS refuses SessionDuration, and the fix says to leave --duration out; without it, it signs in', async () => {
    const refused = await world.console(['--profile', 'chained-sess', '--duration', '2h', '--print']);
    expect(refused.result.code).toBe(1);
    expect(refused.result.stderr).toMatch(
      /^tempcreds: getSigninToken at http:\/\/127\.0\.0\.1:\d+\/federation refused the session of arn:aws-cn:sts::123456789012:assumed-role\/console-role\/\S+ \(HTTP 400: HTTP Status 400 message Invalid credentials parameter description The request sent by the client was syntactically incorrect\.\)\.\n {2}fix: Try without --duration \(AWS refuses SessionDuration for a session made by role chaining\), or let tempcreds assume the role with an IAM user's long-term keys: tempcreds console ROLE --source-profile USER\.\n$/,
    );
    const { result } = await world.console(['--profile', 'chained-sess', '--print']);
    expect(result.code, result.stderr).toBe(0);
  });
});

describe('tempcreds console: bad input, refused before any call', () => {
  const refusedBeforeAnyCall = async (args: string[], message: RegExp, env: NodeJS.ProcessEnv = {}) => {
    world.fixture.proxy!.clearLog();
    const before = world.federation.log.length;
    const { result } = await world.console(args, env);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(proxyLog()).toEqual([]);
    expect(world.federation.log.length).toBe(before);
  };

  it('role flags without ROLE', () =>
    refusedBeforeAnyCall(
      ['--profile', 'sess', '--external-id', 'abcdef', '--print'],
      /--external-id goes with ROLE/,
    ));
  it('--source-profile without ROLE', () =>
    refusedBeforeAnyCall(['--source-profile', 'sts_user', '--print'], /--source-profile goes with ROLE/));
  it('a destination that is neither a service nor an https URL', () =>
    refusedBeforeAnyCall(
      [ROLE, '--destination', 'ftp://x/y', '--print'],
      /--destination "ftp:\/\/x\/y" is neither/,
    ));
  it('a duration AWS does not allow', () =>
    refusedBeforeAnyCall(
      [ROLE, '--source-profile', 'sts_user', '--duration', '10', '--print'],
      /900\.\.43200/,
    ));
  it('no browser to open', () =>
    refusedBeforeAnyCall(
      [ROLE, '--source-profile', 'sts_user'],
      /No browser to open the console with: \/nonexistent\/browser is not installed/,
      {
        BROWSER: '/nonexistent/browser',
      },
    ));
  it('a federation endpoint override that would send the keys in the clear', () =>
    refusedBeforeAnyCall(
      [ROLE, '--source-profile', 'sts_user', '--print'],
      /TEMPCREDS_FEDERATION_URL "http:\/\/example\.com\/federation" is not an https URL/,
      {
        TEMPCREDS_FEDERATION_URL: 'http://example.com/federation',
      },
    ));

  it('a console URL of another partition (known once the session is)', async () => {
    const { result } = await world.console([
      ROLE,
      '--source-profile',
      'sts_user',
      '--destination',
      'https://console.aws.amazon.com/s3/home',
      '--print',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--destination https://console.aws.amazon.com/s3/home is not on the aws-cn console (console.amazonaws.cn).',
    );
  });
});

describe('tempcreds console: BROWSER', () => {
  it('tries each command of the list in order: a missing one, one that fails, then one that opens it', async () => {
    const { result, record } = await world.console(
      [
        ROLE,
        '--source-profile',
        'sts_user',
        '--destination',
        'https://s3.console.amazonaws.cn/s3/buckets?region=cn-northwest-1',
      ],
      {
        BROWSER: `/nonexistent/browser:false:${process.execPath} ${BROWSER_SCRIPT}`,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`in your browser (${process.execPath})`);
    // Without %s the URL comes last.
    expect(record!.argv).toHaveLength(1);
    expect(record!.hops[1]).toMatchObject({
      status: 302,
      location: 'https://s3.console.amazonaws.cn/s3/buckets?region=cn-northwest-1',
    });
  });

  it('every command failing is a failure, with what was tried', async () => {
    const { result } = await world.console([ROLE, '--source-profile', 'sts_user'], {
      BROWSER: 'false:/nonexistent/x',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^tempcreds: No browser could be started \(tried false, \/nonexistent\/x\)\.\n {2}fix: /,
    );
  });
});
