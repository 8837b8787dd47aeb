/**
 * `aws login` sessions through the AWS SDK's own provider, `fromLoginCredentials`
 * (`@aws-sdk/credential-provider-login`): it reads the token `aws login` cached, and when fewer
 * than 5 minutes remain refreshes it with AWS Sign-In's CreateOAuth2Token (a DPoP-signed request)
 * and rewrites the cache. Loaded only for `login_session` profiles.
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { endpointOverride } from '../aws/clients.js';
import { explainAwsError } from '../aws/explain.js';
import { loginCredentialsSdk } from '../aws/sdk.js';
import { awsErrorCode, TempcredsError } from '../errors.js';
import type { SourceInit } from './sources/types.js';

/**
 * A provider of profile `profile`'s `aws login` credentials. AWS Sign-In is called at
 * `--endpoint-url`, `AWS_ENDPOINT_URL_SIGNIN` or `AWS_ENDPOINT_URL` when set (read from `init.env`).
 */
export function awsLoginCredentials(
  profile: string,
  loginSession: string,
  init: SourceInit,
): AwsCredentialIdentityProvider {
  const endpoint = endpointOverride('signin', init.endpointUrl, init.env);
  const provider = loginCredentialsSdk().fromLoginCredentials({
    profile,
    filepath: init.files.credentialsFile,
    configFilepath: init.files.configFile,
    ignoreCache: true,
    clientConfig: endpoint ? { endpoint } : undefined,
  });
  return async () => {
    try {
      return await provider();
    } catch (err) {
      throw explainLoginError(err, profile, loginSession);
    }
  };
}

/** Why the `aws login` session gave no credentials, with the command that fixes it. */
export function explainLoginError(err: unknown, profile: string, loginSession: string): TempcredsError {
  if (err instanceof TempcredsError) return err;
  const network = explainAwsError(err, { action: 'AWS Sign-In' });
  // A network failure (the only kind explainAwsError gives a fix without an AWS code).
  if (network.fix && awsErrorCode(err) === undefined) return network;
  const message = err instanceof Error ? err.message : String(err);
  const missing = /Failed to load token from (\S+): .*ENOENT/.exec(message);
  const why = missing ? `there is no login yet (no ${missing[1]})` : message;
  return new TempcredsError(
    `The aws login session of profile ${profile} (${loginSession}) gives no credentials: ${why}`,
    { kind: 'failed', fix: `aws login --profile ${profile}`, cause: err },
  );
}
