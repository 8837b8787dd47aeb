/**
 * IAM Identity Center profiles as sources, run as a user runs the CLI: the token cache `aws sso
 * login` writes, the portal and SSO-OIDC of test/support/ssoPortal.ts, moto (under enforcement)
 * behind the AWS-fidelity proxy for everything the SSO session then does.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsFiles } from '../../../src/config/paths.js';
import { resolveSource } from '../../../src/credentials/sources.js';
import { runCli } from '../../support/cli.js';
import { createTestRole } from '../../support/roles.js';
import type { SsoTokenCache } from '../../support/ssoPortal.js';
import { SSO_SESSION, startSsoWorld, type SsoWorld } from '../../support/ssoWorld.js';

const run = promisify(execFile);

/** botocore (the AWS CLI v2's engine) gets the profile's credentials: its own SSO token and credential providers. */
const BOTOCORE_SSO = `
import json, sys, botocore.session
c = botocore.session.Session(profile=sys.argv[1]).get_credentials().get_frozen_credentials()
print(json.dumps({"AccessKeyId": c.access_key}))
`;

/** The fields \`aws sso login\` (botocore) writes for an sso-session token, and nothing else. */
const TOKEN_FIELDS = [
  'accessToken',
  'clientId',
  'clientSecret',
  'expiresAt',
  'refreshToken',
  'region',
  'registrationExpiresAt',
  'startUrl',
];

describe('SSO profiles as sources', () => {
  let w: SsoWorld;
  let deployRoleArn: string;

  beforeAll(async () => {
    w = await startSsoWorld();
    // A role the SSO session may assume (moto matches trust principals exactly: the session's ARN).
    deployRoleArn = await createTestRole(w.aws, {
      roleName: 'deploy',
      maxSessionDuration: 43200,
      trust: [{ Effect: 'Allow', Principal: { AWS: w.ssoSessionArn }, Action: 'sts:AssumeRole' }],
      permissions: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
    });
  });
  afterAll(() => w?.stop());
  beforeEach(() => w.proxy.clearLog());

  it('whoami --profile: the portal mints the role session, moto (under enforcement) knows it', async () => {
    await w.login();
    const r = await runCli(['whoami', '--profile', 'sso-admin', '--output', 'json'], { env: w.env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ Arn: w.ssoSessionArn, Region: w.region });
    const portal = w.sso.log.filter((e) => e.service === 'portal');
    expect(portal.at(-1)).toEqual({
      service: 'portal',
      path: '/federation/credentials',
      status: 200,
      fields: { account_id: '123456789012', role_name: 'AdministratorAccess' },
    });
  });

  it('an SSO administrator runs setup, then doctor --admin-profile, end to end', async () => {
    await w.login();
    const setup = await runCli(
      ['setup', '--profile', 'sso-admin', '--role', 'target-role-name', '--create-role', '--yes'],
      { env: w.env() },
    );
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain(`Setup in account 123456789012 (${w.partition})`);
    expect(setup.stdout).toMatch(/Done: \d+ changes\./);
    const doctor = await runCli(
      ['doctor', 'target-role-name', '--source-profile', 'sts_user', '--admin-profile', 'sso-admin'],
      { env: w.env() },
    );
    expect(doctor.stdout).toMatch(/^ok +role +arn:aws-cn:iam::123456789012:role\/target-role-name exists/m);
    expect(doctor.stdout).toMatch(/^ok +trust /m);
    expect(doctor.stdout).toContain('Result: AssumeRole works.');
    expect(doctor.code).toBe(0);
    // Every IAM call was signed with the SSO session's keys (the portal minted them through the proxy).
    const iamCalls = w.proxy.log.filter((e) => e.service === 'iam');
    expect(iamCalls.length).toBeGreaterThan(5);
    expect(new Set(iamCalls.map((e) => e.accessKeyId)).size).toBeLessThanOrEqual(2);
    expect(iamCalls.every((e) => e.accessKeyId?.startsWith('ASIA'))).toBe(true);
  });

  it('a role profile with source_profile = an SSO profile works, for tempcreds and for botocore', async () => {
    await w.login();
    const { appendFile } = await import('node:fs/promises');
    await appendFile(
      w.home.configFile,
      `[profile via-sso]\nrole_arn = ${deployRoleArn}\nsource_profile = sso-admin\nregion = ${w.region}\n`,
    );
    const r = await runCli(['whoami', '--profile', 'via-sso', '--output', 'json'], { env: w.env() });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).Arn).toMatch(/:assumed-role\/deploy\//);
    const botocore = await run('python3', ['-c', BOTOCORE_SSO, 'via-sso'], { env: w.env() });
    expect(JSON.parse(botocore.stdout).AccessKeyId).toMatch(/^ASIA/);
  });

  it('a role the Identity Center user is not assigned: the portal refuses, and the fix says so', async () => {
    await w.login();
    const { appendFile } = await import('node:fs/promises');
    await appendFile(
      w.home.configFile,
      `[profile unassigned]\nsso_session = ${SSO_SESSION}\nsso_account_id = 123456789012\nsso_role_name = Billing\n`,
    );
    const r = await runCli(['whoami', '--profile', 'unassigned', '--region', w.region], { env: w.env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'tempcreds: GetRoleCredentials for role Billing in account 123456789012 failed: ForbiddenException: No access\n' +
        '  fix: Your Identity Center user is not assigned role Billing in account 123456789012: check sso_account_id and sso_role_name of profile unassigned, or ask your administrator for the assignment.\n',
    );
  });

  it('assume --source-profile: an SSO session as the source is role chaining (1 h cap, with the warning)', async () => {
    await w.login();
    const r = await runCli(['assume', deployRoleArn, '--source-profile', 'sso-admin', '--duration', '2h'], {
      env: w.env(),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('role chaining');
    const out = JSON.parse(r.stdout) as { AssumedRoleUser: { Arn: string } };
    expect(out.AssumedRoleUser.Arn).toMatch(/:assumed-role\/deploy\/tempcreds-/);
    const assumes = w.proxy.log.filter(
      (e) => e.action === 'AssumeRole' && e.params.RoleArn === deployRoleArn,
    );
    expect(assumes.map((e) => [e.status, e.params.DurationSeconds])).toEqual([[200, '3600']]);
  });

  it('a token near its end is refreshed through SSO-OIDC and the cache rewritten as the AWS CLI does; botocore reads it', async () => {
    const { cacheFile, token: before } = await w.login({ expiresInSeconds: 60 });
    const oidcCalls = () => w.sso.log.filter((e) => e.service === 'oidc');
    const calls = oidcCalls().length;
    const r = await runCli(['whoami', '--profile', 'sso-admin', '--output', 'json'], { env: w.env() });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).Arn).toBe(w.ssoSessionArn);
    expect(oidcCalls().slice(calls)).toMatchObject([
      { path: '/token', status: 200, fields: { grantType: 'refresh_token', clientId: before.clientId } },
    ]);
    const after = JSON.parse(await readFile(cacheFile, 'utf8')) as SsoTokenCache;
    expect(Object.keys(after).sort()).toEqual(TOKEN_FIELDS);
    expect(after).toMatchObject({
      startUrl: before.startUrl,
      region: before.region,
      clientId: before.clientId,
      clientSecret: before.clientSecret,
      registrationExpiresAt: before.registrationExpiresAt,
    });
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(Date.parse(after.expiresAt) - Date.now()).toBeGreaterThan(7.9 * 3600 * 1000);
    expect((await stat(cacheFile)).mode & 0o777).toBe(0o600);

    // botocore finds a fresh token: no refresh of its own, and the portal takes the new token.
    const botocore = await run('python3', ['-c', BOTOCORE_SSO, 'sso-admin'], { env: w.env() });
    expect(JSON.parse(botocore.stdout).AccessKeyId).toMatch(/^ASIA/);
    expect(oidcCalls().slice(calls)).toHaveLength(1);
  });

  it('a token botocore refreshed (the AWS CLI) is one tempcreds reads: the same fields, and no second refresh', async () => {
    const { cacheFile } = await w.login({ expiresInSeconds: 60 });
    const oidc = () => w.sso.log.filter((e) => e.service === 'oidc').length;
    const calls = oidc();
    await run('python3', ['-c', BOTOCORE_SSO, 'sso-admin'], { env: w.env() });
    expect(oidc()).toBe(calls + 1);
    const byBotocore = JSON.parse(await readFile(cacheFile, 'utf8')) as SsoTokenCache;
    expect(Object.keys(byBotocore).sort()).toEqual(TOKEN_FIELDS);
    const r = await runCli(['whoami', '--profile', 'sso-admin', '--output', 'json'], { env: w.env() });
    expect(r.code).toBe(0);
    expect(oidc()).toBe(calls + 1);
    expect(JSON.parse(await readFile(cacheFile, 'utf8'))).toEqual(byBotocore);
  });

  it('an expired token whose refresh AWS refuses: the fix is a new login for the session', async () => {
    const { cacheFile, token } = await w.login({ expiresInSeconds: -60 });
    // The registration was revoked: CreateToken answers InvalidClientException.
    const { writeFile } = await import('node:fs/promises');
    await writeFile(cacheFile, JSON.stringify({ ...token, clientSecret: 'revoked' }), { mode: 0o600 });
    const r = await runCli(['whoami', '--profile', 'sso-admin'], { env: w.env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `tempcreds: The SSO session ${SSO_SESSION} (profile sso-admin) has no valid token: it has expired, or there was no login yet.\n` +
        `  fix: aws sso login --sso-session ${SSO_SESSION}\n`,
    );
    expect(w.sso.log.at(-1)).toMatchObject({ service: 'oidc', status: 401 });
  });

  it('a legacy profile (sso_start_url, no sso-session) with a valid token: the portal mints its session', async () => {
    await w.login({ legacy: true });
    const r = await runCli(['whoami', '--profile', 'legacy-admin', '--output', 'json'], { env: w.env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ Arn: w.ssoSessionArn, Region: w.region });
    expect(w.sso.log.filter((e) => e.service === 'portal').at(-1)).toMatchObject({ status: 200 });
  });

  it('an expired legacy token: one line with the command that fixes it, exit 1', async () => {
    await w.login({ legacy: true, expiresInSeconds: -60 });
    const r = await runCli(['whoami', '--profile', 'legacy-admin'], { env: w.env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'tempcreds: The SSO login for https://d-0987654321.awsapps.com/start (profile legacy-admin) has no valid token: it has expired, or there was no login yet.\n' +
        '  fix: aws sso login --profile legacy-admin\n',
    );
  });

  it('an sso-session without a login yet: the fix names the session', async () => {
    const r = await runCli(['assume', deployRoleArn, '--source-profile', 'sso-admin'], {
      env: w.env({ HOME: `${w.home.home}/nobody` }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`fix: aws sso login --sso-session ${SSO_SESSION}\\n$`));
    expect(w.proxy.log.filter((e) => e.action === 'AssumeRole')).toEqual([]);
  });

  it('the library: a long-lived source asks the portal again when the SSO credentials run out', async () => {
    await w.login();
    w.sso.setCredentialLifetime(2);
    // The SDK finds the token cache under the process's HOME (it reads process.env, not init.env).
    const home = process.env.HOME;
    process.env.HOME = w.home.home;
    try {
      const env = w.env();
      const source = await resolveSource({ profile: 'sso-admin', env, files: awsFiles(env) });
      expect(source).toMatchObject({ profile: 'sso-admin', region: w.region, roleSession: true });
      const first = await source.credentials();
      expect(await source.credentials()).toBe(first);
      await new Promise((r) => setTimeout(r, 2200));
      const second = await source.credentials();
      expect(second.accessKeyId).not.toBe(first.accessKeyId);
      expect(second.expiration!.getTime()).toBeGreaterThan(Date.now());
    } finally {
      process.env.HOME = home;
      w.sso.setCredentialLifetime(3600);
    }
  });
});
