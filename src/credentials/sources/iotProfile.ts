import { isIotProfile } from '../../iot/profile.js';
import type { ProfileKind } from './types.js';

/**
 * An IoT profile (`tempcreds_iot_*`, see src/iot/profile.ts): a session of the role behind its
 * role alias, from AWS IoT's credentials provider with the device certificate. First of the kinds:
 * its `credential_process` line (for other AWS tools) points back at tempcreds, and must not run.
 */
export const iotProfile: ProfileKind = {
  claims: (settings) => isIotProfile(settings),
  async resolve({ name, settings, init }) {
    // Loaded here: the other kinds stay free of node:https, node:crypto and the IoT code.
    const { iotSource } = await import('../../iot/iotSource.js');
    return iotSource(name, settings, init);
  },
};
