export { assumeRole, type AssumeRoleInput, type AssumeRoleDeps, type AssumedRole } from './assumeRole.js';
export {
  startRoleSession,
  type RoleSession,
  type RoleSessionOptions,
  type StsClientFactory,
} from './roleSession.js';
export {
  parseAssumeRoleRequest,
  parseSessionOptions,
  parseExternalId,
  AWS_PARAMETER_NAMES,
  type AssumeRoleRequest,
  type AssumeRoleRequestInput,
  type ExternalId,
  type InputNames,
  type ParseOptions,
  type SessionOptions,
} from './assumeRoleRequest.js';
export { validateMfaSerial, parseTokenCode, type MfaSerial, type TokenCode } from './mfa.js';
export {
  parseSessionTags,
  parseTransitiveTagKeys,
  parseSourceIdentity,
  parseSessionPolicy,
  parsePolicyArns,
  MAX_SESSION_TAGS,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_SESSION_POLICY_LENGTH,
  MAX_POLICY_ARNS,
  type SessionTag,
  type SourceIdentity,
  type SessionPolicy,
  type PolicyArn,
} from './sessionOptions.js';
export type { SessionShape } from './sessionRefusals.js';
export { ssoLoginCommand, type SsoSettings } from './sources/ssoProfile.js';
export { resolveSource, regionFrom, type Source, type SourceInit } from './sources.js';
export { refreshing, type RefreshingOptions, type RefreshingProvider } from './refreshing.js';
export {
  parseDuration,
  MIN_DURATION_SECONDS,
  MAX_DURATION_SECONDS,
  ROLE_CHAINING_MAX_SECONDS,
  type DurationRequest,
} from './duration.js';
export { defaultSessionName, validateSessionName, type RoleSessionName } from './sessionName.js';
export {
  formatCredentials,
  credentialsEnv,
  parseExportFormat,
  EXPORT_FORMATS,
  type ExportFormat,
  type AssumedRoleOutput,
  type SessionCredentials,
} from './exportFormats.js';
export { startCredentialsServer, type CredentialsServer, type CredentialsServerOptions } from './server.js';
export { cachedProcessCredentials, type CachedProcessDeps } from './cachedProcessCredentials.js';
export type { ProcessCacheKey } from './processCache.cjs';
export { writeSessionProfile } from './writeSessionProfile.js';
export { profileSettings, type SelfRefreshingProfile, type SessionFlags } from './profileSettings.js';
export { fromProcess } from './fromProcess.js';
export { sessionExpiration, type ExpirationSources } from './sessionExpiration.js';
export {
  listProfileKinds,
  readProfileList,
  type ProfileListing,
  type ProfileKindName,
} from './profileList.js';
