import { usageError } from '../errors.js';
import type { SessionOptions } from './assumeRoleRequest.js';

/** What `tempcreds configure` writes: a profile that refreshes itself. */
export interface SelfRefreshingProfile {
  /** `native`: `role_arn` + `source_profile`, refreshed by the AWS tools themselves; `process`: `credential_process` running tempcreds. */
  mode: 'native' | 'process';
  /** `role_arn`. */
  roleArn: string;
  /** `source_profile`: the profile whose keys assume the role. */
  sourceProfile: string;
  /** `region`, written so STS and every client use the role's region. */
  region: string;
  /** `role_session_name`. */
  roleSessionName: string;
  /** `duration_seconds`; absent: AWS's default (3600). */
  durationSeconds?: number;
  /** `external_id`, when the trust policy requires one. */
  externalId?: string;
  /** process mode: how to start tempcreds, as absolute paths (`node`, then the launcher). */
  launcher?: string[];
  /** process mode: `--endpoint-url` to pass along (local AWS). */
  endpointUrl?: string;
  /**
   * process mode only (botocore and the SDKs read no such profile keys): session tags
   * (`Key=Value`), transitive keys, SourceIdentity, the inline session policy (JSON) and managed
   * session policy ARNs, passed to `credential-process` as its flags.
   */
  session?: SessionFlags;
}

/** The session options as `credential-process` flags take them. */
export interface SessionFlags {
  /** `--tag Key=Value`, one per tag. */
  tags?: readonly string[];
  /** `--transitive-tag-key KEY`, one per key. */
  transitiveTagKeys?: readonly string[];
  /** `--source-identity`. */
  sourceIdentity?: string;
  /** `--policy`: the inline session policy, JSON text. */
  policy?: string;
  /** `--policy-arn ARN`, one per managed session policy. */
  policyArns?: readonly string[];
}

/** The session options of a checked request as `credential-process` flags, or undefined when it has none. */
export function sessionFlagsOf(request: SessionOptions): SessionFlags | undefined {
  const flags: SessionFlags = {
    ...(request.tags && { tags: request.tags.map((t) => `${t.key}=${t.value}`) }),
    ...(request.transitiveTagKeys && { transitiveTagKeys: request.transitiveTagKeys }),
    ...(request.sourceIdentity !== undefined && { sourceIdentity: request.sourceIdentity }),
    ...(request.policy !== undefined && { policy: request.policy }),
    ...(request.policyArns && { policyArns: request.policyArns }),
  };
  return Object.keys(flags).length > 0 ? flags : undefined;
}

/**
 * A native profile cannot carry session options: botocore and the SDKs read no such profile keys,
 * so every session they made from it would lack them. Refused (usage error) rather than dropped.
 */
export function refuseNativeSession(
  mode: SelfRefreshingProfile['mode'],
  session: SessionFlags | undefined,
): void {
  if (mode !== 'native' || sessionFlagWords(session).length === 0) return;
  throw usageError(
    'A native profile cannot carry session tags, SourceIdentity or session policies: the AWS CLI and SDKs read no such profile keys, so every session they made from it would lack them.',
    'Use --mode process (credential_process = tempcreds credential-process ..., which passes them at every refresh), or leave --mode out.',
  );
}

/** `--tag K=V ... --policy-arn ARN`, in that order, for what is set. */
export function sessionFlagWords(session: SessionFlags = {}): string[] {
  const each = (flag: string, values: readonly string[] | undefined) =>
    (values ?? []).flatMap((v) => [flag, v]);
  return [
    ...each('--tag', session.tags),
    ...each('--transitive-tag-key', session.transitiveTagKeys),
    ...each('--source-identity', session.sourceIdentity === undefined ? [] : [session.sourceIdentity]),
    ...each('--policy', session.policy === undefined ? [] : [session.policy]),
    ...each('--policy-arn', session.policyArns),
  ];
}

/** Quotes a word for a credential_process line (botocore splits it with shlex). */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The `[profile NAME]` keys for a mode. Keys of the other mode are set to null (removed), so a
 * profile switched from one mode to the other has exactly one way to get credentials.
 */
export function profileSettings(p: SelfRefreshingProfile): Record<string, string | null> {
  refuseNativeSession(p.mode, p.session);
  if (p.mode === 'native') {
    return {
      role_arn: p.roleArn,
      source_profile: p.sourceProfile,
      role_session_name: p.roleSessionName,
      duration_seconds: p.durationSeconds === undefined ? null : String(p.durationSeconds),
      external_id: p.externalId ?? null,
      region: p.region,
      credential_process: null,
    };
  }
  const words = [
    ...(p.launcher ?? ['tempcreds']),
    'credential-process',
    '--role-arn',
    p.roleArn,
    '--source-profile',
    p.sourceProfile,
    '--session-name',
    p.roleSessionName,
    ...(p.durationSeconds === undefined ? [] : ['--duration', String(p.durationSeconds)]),
    ...(p.externalId === undefined ? [] : ['--external-id', p.externalId]),
    '--region',
    p.region,
    ...(p.endpointUrl === undefined ? [] : ['--endpoint-url', p.endpointUrl]),
    ...sessionFlagWords(p.session),
  ];
  return {
    credential_process: words.map(shellWord).join(' '),
    region: p.region,
    role_arn: null,
    source_profile: null,
    role_session_name: null,
    duration_seconds: null,
    external_id: null,
  };
}
