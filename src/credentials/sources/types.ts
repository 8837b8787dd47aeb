import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { AwsFiles } from '../../config/paths.js';

/** Where credentials come from before any role is assumed: a profile, or the environment. */
export interface Source {
  /** The profile name, or undefined for `AWS_ACCESS_KEY_ID` in the environment. */
  profile: string | undefined;
  /** The region to call STS in, when one is configured anywhere. */
  region: string | undefined;
  credentials: AwsCredentialIdentityProvider;
  /** True when these credentials are known to be a role session (a role profile). */
  roleSession: boolean;
}

export interface SourceInit {
  /** `--profile` / `--source-profile`; default `AWS_PROFILE`, then `default` (or the environment's keys). */
  profile?: string;
  /** `--region`; wins over the environment and the profile. */
  region?: string;
  endpointUrl?: string;
  env: NodeJS.ProcessEnv;
  files: AwsFiles;
  promptTokenCode?: (serialNumber: string) => Promise<string>;
  warn?: (message: string) => void;
  /** Refresh role sessions when fewer than this many seconds remain (default 300). */
  minTtlSeconds?: number;
}

/** What a kind of profile gets to resolve one profile: its settings, and the way back for its own source. */
export interface ProfileContext {
  name: string;
  /** The profile's settings, keys lower-cased (config and credentials file merged). */
  settings: Record<string, string>;
  /** The region for this profile: `--region`, the environment, then its own `region`. */
  region: string | undefined;
  init: SourceInit;
  /** Resolves another profile as this one's source (cycles are refused). */
  fromProfile(name: string): Promise<Source>;
  /** Resolves the credentials the environment holds, as if no profile were named. */
  fromEnvironment(): Promise<Source>;
}

/**
 * One kind of profile: `role_arn`, SSO, `aws login`, keys, `credential_process` (later: IoT certificates). The
 * first kind in {@link PROFILE_KINDS} that claims a profile resolves it; a new kind is one file and
 * one line there.
 */
export interface ProfileKind {
  /** Whether the profile's settings are of this kind. */
  claims(settings: Record<string, string>): boolean;
  resolve(profile: ProfileContext): Promise<Source>;
}
