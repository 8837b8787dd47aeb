/**
 * `aws login` (login_session) profiles as sources: the token cache `aws login` writes, AWS
 * Sign-In's token endpoint (test/support/signinService.ts, DPoP-checked) for refreshes, and moto
 * behind the proxy for what the session does. The console identity is the Identity Center role
 * of the SSO world, as it is for people who sign in to the console through Identity Center.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { startSigninService, type LoginTokenCache, type SigninService } from '../../support/signinService.js';
import { SSO_ACCOUNT, startSsoWorld, type SsoWorld } from '../../support/ssoWorld.js';

describe('aws login profiles as sources', () => {
  let w: SsoWorld;
  let signin: SigninService;
  const loginSession = `arn:aws-cn:sts::${SSO_ACCOUNT}:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice`;
  const env = () => w.env({ AWS_ENDPOINT_URL_SIGNIN: signin.endpoint });
  const login = (expiresInSeconds?: number) =>
    signin.login({
      home: w.home.home,
      loginSession,
      roleArn: w.ssoRoleArn,
      accountId: SSO_ACCOUNT,
      expiresInSeconds,
    });

  beforeAll(async () => {
    w = await startSsoWorld();
    signin = await startSigninService({
      stsEndpoint: w.proxy.endpoint,
      region: w.region,
      admin: () => w.aws.admin,
    });
    await appendFile(
      w.home.configFile,
      `[profile console]\nlogin_session = ${loginSession}\nregion = ${w.region}\n`,
    );
  });
  afterAll(async () => {
    await signin?.stop();
    await w?.stop();
  });

  it('a fresh login: its credentials are used as they are', async () => {
    await login();
    const calls = signin.log.length;
    const r = await runCli(['whoami', '--profile', 'console', '--output', 'json'], { env: env() });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).Arn).toMatch(
      /:assumed-role\/AWSReservedSSO_AdministratorAccess_0123456789abcdef\/console$/,
    );
    expect(signin.log.length).toBe(calls);
  });

  it('credentials near their end are refreshed with a DPoP-signed CreateOAuth2Token, and the cache rewritten', async () => {
    const { cacheFile, token: before } = await login(60);
    const calls = signin.log.length;
    const r = await runCli(['whoami', '--profile', 'console', '--output', 'json'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(signin.log.slice(calls)).toEqual([{ status: 200 }]);
    const after = JSON.parse(await readFile(cacheFile, 'utf8')) as LoginTokenCache;
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(after.accessToken.accessKeyId).not.toBe(before.accessToken.accessKeyId);
    expect(after.accessToken.accountId).toBe(SSO_ACCOUNT);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.dpopKey).toBe(before.dpopKey);
    expect(Date.parse(after.accessToken.expiresAt) - Date.now()).toBeGreaterThan(800_000);
  });

  it('as the source of an assume-role it is role chaining when the console identity is a role session', async () => {
    await login();
    const r = await runCli(
      ['assume', 'deploy-from-console', '--source-profile', 'console', '--duration', '2h'],
      {
        env: env(),
      },
    );
    // No such role: what matters is that the chaining cap was applied before AWS answered.
    expect(r.stderr).toContain('role chaining');
    const assumes = w.proxy.log.filter(
      (e) => e.action === 'AssumeRole' && e.params.RoleArn?.endsWith('/deploy-from-console'),
    );
    expect(assumes.map((e) => e.params.DurationSeconds)).toEqual(['3600']);
  });

  it('a session that ended: one line with the command that fixes it, exit 1', async () => {
    await login(-60);
    signin.expireSessions();
    const r = await runCli(['whoami', '--profile', 'console'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^tempcreds: The aws login session of profile console \(arn:aws-cn:sts::.*\) gives no credentials: .*\n/,
    );
    expect(r.stderr).toMatch(/\n {2}fix: aws login --profile console\n$/);
    expect(signin.log.at(-1)).toEqual({ status: 400, error: 'TOKEN_EXPIRED' });
  });

  it('no login yet: says so, with the same fix', async () => {
    const r = await runCli(['whoami', '--profile', 'console'], {
      env: { ...env(), HOME: `${w.home.home}/elsewhere` },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /gives no credentials: there is no login yet \(no .*\/\.aws\/login\/cache\/[0-9a-f]{64}\.json\)\n {2}fix: aws login --profile console\n$/,
    );
  });
});
