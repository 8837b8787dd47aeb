import { usageError } from '../../errors.js';
import { parseAssumeRoleRequest, type AssumeRoleRequest } from '../assumeRoleRequest.js';
import type { ProfileContext, ProfileKind, Source } from './types.js';

/**
 * A profile with `role_arn`: its `source_profile` (or, with `credential_source = Environment`, the
 * environment's keys) assumes the role, and the session renews itself.
 */
export const roleProfile: ProfileKind = {
  claims: (s) => Boolean(s.role_arn),
  async resolve(profile) {
    const { name, settings: s, init } = profile;
    const source = await signingSource(profile);
    const request = roleProfileRequest(name, s);
    // Imported here so that reading a static-key profile stays free of the STS client.
    const { startRoleSession } = await import('../roleSession.js');
    const session = await startRoleSession({
      source: { ...source, region: profile.region ?? source.region },
      request,
      promptTokenCode: init.promptTokenCode,
      warn: init.warn,
      endpointUrl: init.endpointUrl,
      env: init.env,
      minTtlSeconds: init.minTtlSeconds,
    });
    return { profile: name, region: session.region, credentials: session.provider, roleSession: true };
  },
};

/** What a role profile asks of AssumeRole (`role_arn`, `role_session_name`, ...), checked, with the settings named in errors. */
export function roleProfileRequest(name: string, s: Record<string, string>): AssumeRoleRequest {
  const of = ` of profile ${name}`;
  return parseAssumeRoleRequest(
    {
      role: s.role_arn as string,
      roleSessionName: s.role_session_name,
      durationSeconds: s.duration_seconds,
      externalId: s.external_id,
      serialNumber: s.mfa_serial,
    },
    {
      names: {
        roleSessionName: `role_session_name${of}`,
        durationSeconds: `duration_seconds${of}`,
        externalId: `external_id${of}`,
        serialNumber: `mfa_serial${of}`,
      },
      // No setting holds a code: it is asked for, or its absence reported, when the role is assumed.
      canPrompt: true,
    },
  );
}

/** The credentials that assume a role profile's role: its `source_profile`, or the environment's keys. */
export function signingSource(
  profile: Pick<ProfileContext, 'name' | 'settings' | 'fromProfile' | 'fromEnvironment'>,
): Promise<Source> {
  const s = profile.settings;
  if (s.source_profile) return profile.fromProfile(s.source_profile);
  if (s.credential_source === 'Environment') return profile.fromEnvironment();
  throw usageError(
    `Profile "${profile.name}" has role_arn but neither source_profile nor credential_source = Environment.`,
    `Add source_profile = <profile with keys> to [profile ${profile.name}].`,
  );
}
