/**
 * IAM Identity Center credentials through the AWS SDK's own providers: `fromSSO`
 * (`@aws-sdk/credential-provider-sso`), which reads the token `aws sso login` cached under
 * `~/.aws/sso/cache`, has `@aws-sdk/token-providers` refresh it through SSO-OIDC CreateToken when
 * it is near its end and the cache holds a refresh token (rewriting the cache file as the AWS CLI
 * does), then calls the portal's GetRoleCredentials. Loaded only for SSO profiles.
 */
import type { SSOClient } from '@aws-sdk/client-sso';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { endpointOverride } from '../aws/clients.js';
import { explainAwsError } from '../aws/explain.js';
import { ssoCredentialsSdk, ssoSdk } from '../aws/sdk.js';
import { awsErrorCode, TempcredsError } from '../errors.js';
import { ssoLoginCommand, type SsoSettings } from './sources/ssoProfile.js';
import type { SourceInit } from './sources/types.js';

/**
 * A provider of the role credentials the portal issues for `sso`. The portal and SSO-OIDC are
 * called in `sso_region`, at `--endpoint-url`, `AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL_SSO_OIDC`
 * or `AWS_ENDPOINT_URL` when set (read from `init.env`, not the process's, and passed to the SDK's
 * clients: fromSSO would give one endpoint to both). Every call reads the files and the token
 * cache again (`ignoreCache`), so a new `aws sso login` is seen without a restart. The token
 * cache is where the SDK looks for it: `.aws/sso/cache` under the process's `HOME` (the SDK reads
 * `process.env` for it; there is no option to point it elsewhere).
 */
export function ssoCredentials(sso: SsoSettings, init: SourceInit): AwsCredentialIdentityProvider {
  const portal = ssoPortalClient(sso.ssoRegion, endpointOverride('sso', init.endpointUrl, init.env));
  const oidcEndpoint = endpointOverride('sso_oidc', init.endpointUrl, init.env);
  return async () => {
    let refused: unknown;
    // The portal's own answer, kept: fromSSO turns it into a message-only error.
    const ssoClient = {
      send: (command: never) =>
        portal.send(command).catch((err: unknown) => {
          refused = err;
          throw err;
        }),
    } as unknown as SSOClient;
    try {
      return await ssoCredentialsSdk().fromSSO({
        profile: sso.profile,
        filepath: init.files.credentialsFile,
        configFilepath: init.files.configFile,
        ignoreCache: true,
        ssoStartUrl: sso.startUrl,
        ssoSession: sso.sessionName,
        ssoAccountId: sso.accountId,
        ssoRegion: sso.ssoRegion,
        ssoRoleName: sso.roleName,
        ssoClient: ssoClient as never,
        clientConfig: oidcEndpoint ? { endpoint: oidcEndpoint } : undefined,
      })();
    } catch (err) {
      throw explainSsoError(refused ?? err, sso);
    }
  };
}

function ssoPortalClient(region: string, endpoint: string | undefined): SSOClient {
  return new (ssoSdk().SSOClient)({ region, ...(endpoint && { endpoint }), maxAttempts: 3 });
}

/** What went wrong getting SSO credentials, in the portal's terms or the token's, with the fix. */
export function explainSsoError(err: unknown, sso: SsoSettings): TempcredsError {
  if (err instanceof TempcredsError) return err;
  const code = awsErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const role = `role ${sso.roleName} in account ${sso.accountId}`;
  const login = ssoLoginCommand(sso);
  const session = sso.sessionName
    ? `The SSO session ${sso.sessionName}`
    : `The SSO login for ${sso.startUrl}`;
  switch (code) {
    case 'UnauthorizedException':
      return new TempcredsError(
        `${session} (profile ${sso.profile}) was refused by the portal: ${code}: ${message}`,
        { kind: 'failed', awsCode: code, fix: login, cause: err },
      );
    case 'ForbiddenException':
    case 'ResourceNotFoundException':
      return new TempcredsError(`GetRoleCredentials for ${role} failed: ${code}: ${message}`, {
        kind: 'aws',
        awsCode: code,
        fix: `Your Identity Center user is not assigned ${role}: check sso_account_id and sso_role_name of profile ${sso.profile}, or ask your administrator for the assignment.`,
        cause: err,
      });
    case undefined:
      break;
    default:
      return explainAwsError(err, { action: `GetRoleCredentials for ${role}`, profile: sso.profile });
  }
  const network = explainAwsError(err, { action: `IAM Identity Center (${sso.ssoRegion})` });
  if (network.fix) return network;
  // Every other failure of the provider is about the cached token: missing, unreadable or expired.
  return new TempcredsError(
    `${session} (profile ${sso.profile}) has no valid token: it has expired, or there was no login yet.`,
    { kind: 'failed', fix: login, cause: err },
  );
}
