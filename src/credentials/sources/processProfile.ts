import { fromProcess } from '../fromProcess.js';
import { refreshing } from '../refreshing.js';
import type { ProfileKind } from './types.js';

/** A profile with `credential_process`: run it (no shell), and again when its credentials run out. */
export const processProfile: ProfileKind = {
  claims: (s) => Boolean(s.credential_process),
  async resolve({ name, settings, region, init }) {
    return {
      profile: name,
      region,
      credentials: refreshing(fromProcess(settings.credential_process as string, name, init.env), {
        minTtlSeconds: init.minTtlSeconds,
      }),
      roleSession: false,
    };
  },
};
