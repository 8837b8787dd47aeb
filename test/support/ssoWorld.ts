/**
 * An IAM Identity Center world: moto behind the AWS-fidelity proxy, the SSO portal and SSO-OIDC
 * beside it (test/support/ssoPortal.ts), the role Identity Center made for a permission set
 * (`AWSReservedSSO_...` under `/aws-reserved/sso.amazonaws.com/`, with a `*` policy), the user
 * `alice` assigned to it, and a HOME whose config has an sso-session profile and a legacy one.
 */
import { writeFile } from 'node:fs/promises';
import { startAwsProxy, type AwsProxy } from './awsProxy.js';
import { makeTempHome, type TempHome } from './cli.js';
import { startLocalAws, type LocalAws } from './localAws.js';
import { createTestRole } from './roles.js';
import { startSsoServices, type SsoServices } from './ssoPortal.js';

export const SSO_ACCOUNT = '123456789012';
export const SSO_USER = 'alice';
export const PERMISSION_SET = 'AdministratorAccess';
export const SSO_SESSION = 'corp';
export const START_URL = 'https://d-1234567890.awsapps.com/start';
export const LEGACY_START_URL = 'https://d-0987654321.awsapps.com/start';

export interface SsoWorld {
  aws: LocalAws;
  proxy: AwsProxy;
  sso: SsoServices;
  home: TempHome;
  region: string;
  partition: string;
  /** The role Identity Center made for the permission set. */
  ssoRoleArn: string;
  ssoRoleName: string;
  /** The ARN a session of that role has: `arn:...:sts::ACCOUNT:assumed-role/AWSReservedSSO_.../alice`. */
  ssoSessionArn: string;
  /** Logs `alice` in for the sso-session profile (`sso-admin`) and the legacy one (`legacy-admin`). */
  login(options?: { expiresInSeconds?: number; legacy?: boolean }): ReturnType<SsoServices['login']>;
  /** The CLI's environment: AWS at the proxy, the portal and SSO-OIDC at theirs. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export function ssoConfig(region: string): string {
  return [
    '[profile sso-admin]',
    `sso_session = ${SSO_SESSION}`,
    `sso_account_id = ${SSO_ACCOUNT}`,
    `sso_role_name = ${PERMISSION_SET}`,
    `region = ${region}`,
    '',
    `[sso-session ${SSO_SESSION}]`,
    `sso_start_url = ${START_URL}`,
    `sso_region = ${region}`,
    'sso_registration_scopes = sso:account:access',
    '',
    '[profile legacy-admin]',
    `sso_start_url = ${LEGACY_START_URL}`,
    `sso_region = ${region}`,
    `sso_account_id = ${SSO_ACCOUNT}`,
    `sso_role_name = ${PERMISSION_SET}`,
    `region = ${region}`,
    '',
  ].join('\n');
}

export async function startSsoWorld(region = 'cn-northwest-1'): Promise<SsoWorld> {
  const aws = await startLocalAws({ region });
  const proxy = await startAwsProxy({ target: aws.endpoint, admin: () => aws.admin, region });
  const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws';
  const sso = await startSsoServices({ stsEndpoint: proxy.endpoint, region, admin: () => aws.admin });
  const ssoRoleName = `AWSReservedSSO_${PERMISSION_SET}_0123456789abcdef`;
  const ssoRoleArn = await createTestRole(aws, {
    roleName: ssoRoleName,
    path: '/aws-reserved/sso.amazonaws.com/',
    maxSessionDuration: 43200,
    // In AWS the trust names the account's SAML provider; here the portal assumes it as the administrator.
    trust: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${SSO_ACCOUNT}:user/admin` },
        Action: 'sts:AssumeRole',
      },
    ],
    permissions: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
  sso.assign(SSO_USER, SSO_ACCOUNT, PERMISSION_SET, ssoRoleArn);
  const home = await makeTempHome();
  await writeFile(home.configFile, ssoConfig(region));
  return {
    aws,
    proxy,
    sso,
    home,
    region,
    partition,
    ssoRoleArn,
    ssoRoleName,
    ssoSessionArn: `arn:${partition}:sts::${SSO_ACCOUNT}:assumed-role/${ssoRoleName}/${SSO_USER}`,
    login: ({ expiresInSeconds, legacy = false } = {}) =>
      sso.login({
        home: home.home,
        user: SSO_USER,
        startUrl: legacy ? LEGACY_START_URL : START_URL,
        region,
        sessionName: legacy ? undefined : SSO_SESSION,
        expiresInSeconds,
      }),
    env: (extra = {}) =>
      home.env({
        AWS_ENDPOINT_URL: proxy.endpoint,
        AWS_ENDPOINT_URL_SSO: sso.portalEndpoint,
        AWS_ENDPOINT_URL_SSO_OIDC: sso.oidcEndpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...extra,
      }),
    async stop() {
      await sso.stop();
      await proxy.stop();
      await aws.stop();
      await home.cleanup();
    },
  };
}
