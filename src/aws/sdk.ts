import { createRequire } from 'node:module';
import type * as Firehose from '@aws-sdk/client-firehose';
import type * as Iam from '@aws-sdk/client-iam';
import type * as Iot from '@aws-sdk/client-iot';
import type * as S3 from '@aws-sdk/client-s3';
import type * as Sts from '@aws-sdk/client-sts';
import type * as HttpHandler from '@smithy/node-http-handler';
import type * as Sso from '@aws-sdk/client-sso';
import type * as SsoCredentials from '@aws-sdk/credential-provider-sso';
import type * as LoginCredentials from '@aws-sdk/credential-provider-login';

/*
 * The AWS SDK packages, loaded with require(). They ship CommonJS bundles, and importing one from
 * ESM makes Node read the whole bundle first (module-syntax detection, then a scan for its export
 * names): about 60 ms per client on every command. require() skips both; the types are the same.
 * Only modules that commands load on demand call these (test/unit/cli/startup.test.ts checks).
 */
const require = createRequire(import.meta.url);

export const firehoseSdk = (): typeof Firehose => require('@aws-sdk/client-firehose') as typeof Firehose;
export const iamSdk = (): typeof Iam => require('@aws-sdk/client-iam') as typeof Iam;
export const iotSdk = (): typeof Iot => require('@aws-sdk/client-iot') as typeof Iot;
export const s3Sdk = (): typeof S3 => require('@aws-sdk/client-s3') as typeof S3;
export const stsSdk = (): typeof Sts => require('@aws-sdk/client-sts') as typeof Sts;
export const httpHandlerSdk = (): typeof HttpHandler =>
  require('@smithy/node-http-handler') as typeof HttpHandler;
export const ssoSdk = (): typeof Sso => require('@aws-sdk/client-sso') as typeof Sso;
export const ssoCredentialsSdk = (): typeof SsoCredentials =>
  require('@aws-sdk/credential-provider-sso') as typeof SsoCredentials;
export const loginCredentialsSdk = (): typeof LoginCredentials =>
  require('@aws-sdk/credential-provider-login') as typeof LoginCredentials;
