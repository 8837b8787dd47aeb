/** What `tempcreds configure` writes: a profile that refreshes itself. */
export interface SelfRefreshingProfile {
  mode: 'native' | 'process';
  roleArn: string;
  sourceProfile: string;
  region: string;
  roleSessionName: string;
  durationSeconds?: number;
  externalId?: string;
  /** process mode: how to start tempcreds, as absolute paths (`node`, then the launcher). */
  launcher?: string[];
  /** process mode: `--endpoint-url` to pass along (local AWS). */
  endpointUrl?: string;
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
