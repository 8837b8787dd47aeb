import { refreshing } from '../refreshing.js';
import type { ProfileKind } from './types.js';

/**
 * A profile with `login_session` (written by `aws login`, AWS CLI 2.32+): the AWS SDK's own
 * provider (`@aws-sdk/credential-provider-login`) serves the console session's credentials from
 * the token cache under `~/.aws/login/cache`, refreshing them through AWS Sign-In when they near
 * their end. Whether they are a role session depends on who signed in to the console: the role
 * session check of `startRoleSession` looks that up.
 */
export const loginProfile: ProfileKind = {
  claims: (s) => Boolean(s.login_session),
  async resolve({ name, settings, region, init }) {
    // Imported here so that a profile of any other kind never loads the login provider.
    const { awsLoginCredentials } = await import('../awsLogin.js');
    return {
      profile: name,
      region,
      credentials: refreshing(awsLoginCredentials(name, settings.login_session as string, init), {
        minTtlSeconds: init.minTtlSeconds,
      }),
      roleSession: false,
    };
  },
};
