import type { AwsFiles } from '../../config/paths.js';
import { readSsoSession } from '../../config/ssoSession.js';
import { usageError } from '../../errors.js';
import { refreshing } from '../refreshing.js';
import type { ProfileKind } from './types.js';

/** A profile's IAM Identity Center settings, checked: where the token comes from, and which role. */
export interface SsoSettings {
  /** The profile the settings are from. */
  profile: string;
  /** `sso_session`: the token is the session's (refreshable); undefined for the legacy form. */
  sessionName?: string;
  /** `sso_start_url`: the AWS access portal (`https://d-1234567890.awsapps.com/start`). */
  startUrl: string;
  /** The Identity Center region (`sso_region`): where the portal and SSO-OIDC are called. */
  ssoRegion: string;
  /** `sso_account_id`: the account of the role. */
  accountId: string;
  /** `sso_role_name`: the permission set's role in that account. */
  roleName: string;
}

/** The command that gets a new token for these settings, as the AWS CLI spells it. */
export function ssoLoginCommand(sso: Pick<SsoSettings, 'profile' | 'sessionName'>): string {
  return sso.sessionName === undefined
    ? `aws sso login --profile ${sso.profile}`
    : `aws sso login --sso-session ${sso.sessionName}`;
}

/**
 * A profile with IAM Identity Center settings (`sso_session` and its `[sso-session NAME]`, or the
 * legacy `sso_start_url`): the AWS SDK's own SSO provider reads the token the AWS CLI cached
 * (refreshing it through SSO-OIDC when it can) and gets the role's credentials from the portal.
 * Those are a role session, so a role assumed with them is role chaining.
 */
export const ssoProfile: ProfileKind = {
  claims: (s) => Boolean(s.sso_session || s.sso_start_url || s.sso_account_id || s.sso_role_name),
  async resolve({ name, settings, region, init }) {
    const sso = await ssoSettings(name, settings, init.files);
    // Imported here so that a profile of any other kind never loads the SSO providers.
    const { ssoCredentials } = await import('../sso.js');
    return {
      profile: name,
      region,
      credentials: refreshing(ssoCredentials(sso, init), { minTtlSeconds: init.minTtlSeconds }),
      roleSession: true,
    };
  },
};

/** Checks a profile's SSO settings as botocore does, with the fix for what is missing. */
export async function ssoSettings(
  name: string,
  s: Record<string, string>,
  files: AwsFiles,
): Promise<SsoSettings> {
  const where = `[${name === 'default' ? 'default' : `profile ${name}`}]`;
  let startUrl = s.sso_start_url;
  let ssoRegion = s.sso_region;
  const sessionName = s.sso_session;
  if (sessionName !== undefined) {
    const session = await readSsoSession(files, sessionName);
    if (!session) {
      throw usageError(
        `Profile ${name} names sso_session ${sessionName}, but ${files.configFile} has no [sso-session ${sessionName}].`,
        `Create it with: aws configure sso-session (name ${sessionName}), or fix sso_session in ${where}.`,
      );
    }
    for (const [key, value] of [
      ['sso_start_url', startUrl],
      ['sso_region', ssoRegion],
    ] as const) {
      if (value !== undefined && session[key] !== undefined && value !== session[key]) {
        throw usageError(
          `Profile ${name} has ${key} ${value}, but its sso-session ${sessionName} has ${session[key]}.`,
          `Remove ${key} from ${where}: the session's is the one used.`,
        );
      }
    }
    startUrl = session.sso_start_url;
    ssoRegion = session.sso_region;
    const missing = missingKeys({ sso_start_url: startUrl, sso_region: ssoRegion });
    if (missing.length > 0) {
      throw usageError(
        `[sso-session ${sessionName}] has no ${missing.join(' or ')}.`,
        `Add ${missing.join(' and ')} to it (aws configure sso-session).`,
      );
    }
  }
  const missing = missingKeys({
    ...(sessionName === undefined && { sso_start_url: startUrl, sso_region: ssoRegion }),
    sso_account_id: s.sso_account_id,
    sso_role_name: s.sso_role_name,
  });
  if (missing.length > 0) {
    const tokenOnly = sessionName !== undefined && !s.sso_account_id && !s.sso_role_name;
    throw usageError(
      `Profile ${name} is an IAM Identity Center profile without ${missing.join(', ')}${tokenOnly ? ': it holds a login only, not a role to get credentials for' : ''}.`,
      `Add ${missing.join(' and ')} to ${where} (aws configure sso --profile ${name}).`,
    );
  }
  return {
    profile: name,
    sessionName,
    startUrl: startUrl as string,
    ssoRegion: ssoRegion as string,
    accountId: s.sso_account_id as string,
    roleName: s.sso_role_name as string,
  };
}

function missingKeys(values: Record<string, string | undefined>): string[] {
  return Object.entries(values)
    .filter(([, value]) => !value)
    .map(([key]) => key);
}
