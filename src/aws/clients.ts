import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { stsEndpoint } from './partition.js';

/**
 * The services tempcreds calls, by the suffix AWS uses in `AWS_ENDPOINT_URL_<SERVICE>` (lower-cased:
 * `sso` is the Identity Center portal, `sso_oidc` its token service, `signin` AWS Sign-In).
 */
export type ServiceId = 'sts' | 'iam' | 'iot' | 'firehose' | 's3' | 'sso' | 'sso_oidc' | 'signin';

/**
 * Everything an AWS call needs besides its input. Built once by the CLI (or by a library user)
 * and passed down, so tests can point every call at the local AWS.
 */
export interface AwsContext {
  /** The region every client signs for and, for STS, the regional endpoint it calls. */
  region: string;
  /** `--endpoint-url`: wins over `AWS_ENDPOINT_URL(_<SERVICE>)`. */
  endpointUrl?: string;
  /** The signing credentials, or a provider the SDK calls (and caches) before each request. */
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Environment to read `AWS_ENDPOINT_URL*` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** The endpoint for one service: `--endpoint-url`, then `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`. */
export function endpointOverride(
  service: ServiceId,
  endpointUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return endpointUrl || env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] || env.AWS_ENDPOINT_URL || undefined;
}

/** The part of an SDK v3 client's configuration that {@link clientConfig} decides. */
export interface ClientConfig {
  /** From {@link AwsContext.region}. */
  region: string;
  /** An override, or STS's regional endpoint; absent lets the SDK choose. */
  endpoint?: string;
  /** From {@link AwsContext.credentials}. */
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** `true` for S3 behind an endpoint override (`http://127.0.0.1:PORT/bucket/key`). */
  forcePathStyle?: boolean;
}

/**
 * SDK v3 client configuration for a service. STS always gets its regional endpoint (never the
 * global us-east-1 one: China and GovCloud keys are unknown there). With an endpoint override,
 * S3 uses path-style addressing (an IP endpoint has no bucket subdomains).
 */
export function clientConfig(service: ServiceId, ctx: AwsContext): ClientConfig {
  const override = endpointOverride(service, ctx.endpointUrl, ctx.env);
  const config: ClientConfig = { region: ctx.region, credentials: ctx.credentials };
  if (override) {
    config.endpoint = override;
    if (service === 's3') config.forcePathStyle = true;
  } else if (service === 'sts') {
    config.endpoint = stsEndpoint(ctx.region);
  }
  return config;
}
