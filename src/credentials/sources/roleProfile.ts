import { usageError } from '../../errors.js';
import { parseAssumeRoleRequest } from '../assumeRoleRequest.js';
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
    const of = ` of profile ${name}`;
    const request = parseAssumeRoleRequest(
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

function signingSource(profile: ProfileContext): Promise<Source> {
  const s = profile.settings;
  if (s.source_profile) return profile.fromProfile(s.source_profile);
  if (s.credential_source === 'Environment') return profile.fromEnvironment();
  throw usageError(
    `Profile "${profile.name}" has role_arn but neither source_profile nor credential_source = Environment.`,
    `Add source_profile = <profile with keys> to [profile ${profile.name}].`,
  );
}
