import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { AwsFiles } from '../../config/paths.js';

/** Where credentials come from before any role is assumed: a profile, or the environment. */
export interface Source {
  /** The profile name, or undefined for `AWS_ACCESS_KEY_ID` in the environment. */
  profile: string | undefined;
  /** The region to call STS in, when one is configured anywhere. */
  region: string | undefined;
  /** The source's credentials; a provider, so keys that expire (SSO, a role profile) are renewed. */
  credentials: AwsCredentialIdentityProvider;
  /** True when these credentials are known to be a role session (a role profile). */
  roleSession: boolean;
}

/** Which source {@link resolveSource} resolves, and the environment it reads. */
export interface SourceInit {
  /** `--profile` / `--source-profile`; default `AWS_PROFILE`, then `default` (or the environment's keys). */
  profile?: string;
  /** `--region`; wins over the environment and the profile. */
  region?: string;
  /** `--endpoint-url`, for the STS calls of role profiles: wins over `AWS_ENDPOINT_URL(_STS)`. */
  endpointUrl?: string;
  /** Read for `AWS_PROFILE`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`..., as the AWS CLI reads them. */
  env: NodeJS.ProcessEnv;
  /** The AWS config and credentials files. */
  files: AwsFiles;
  /** Asks for an MFA code when a role profile has `mfa_serial`. */
  promptTokenCode?: (serialNumber: string) => Promise<string>;
  /** Told when AWS grants a role profile's session less than asked (role chaining's one hour). */
  warn?: (message: string) => void;
  /** Refresh role sessions when fewer than this many seconds remain (default 300). */
  minTtlSeconds?: number;
}

/** What a kind of profile gets to resolve one profile: its settings, and the way back for its own source. */
export interface ProfileContext {
  /** The profile's name. */
  name: string;
  /** The profile's settings, keys lower-cased (config and credentials file merged). */
  settings: Record<string, string>;
  /** The region for this profile: `--region`, the environment, then its own `region`. */
  region: string | undefined;
  /** What the whole resolution was started with. */
  init: SourceInit;
  /** Resolves another profile as this one's source (cycles are refused). */
  fromProfile(name: string): Promise<Source>;
  /** Resolves the credentials the environment holds, as if no profile were named. */
  fromEnvironment(): Promise<Source>;
}

/**
 * One kind of profile: `role_arn`, SSO, `aws login`, keys, `credential_process` (later: IoT certificates). The
 * first kind in `PROFILE_KINDS` (sources.ts) that claims a profile resolves it; a new kind is one file and
 * one line there.
 */
export interface ProfileKind {
  /** Whether the profile's settings are of this kind. */
  claims(settings: Record<string, string>): boolean;
  /** Resolves a profile this kind claimed into its credentials (throws a usage error for a broken one). */
  resolve(profile: ProfileContext): Promise<Source>;
}
