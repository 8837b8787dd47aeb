import { refreshing } from '../credentials/refreshing.js';
import { regionFrom } from '../credentials/sources/region.js';
import type { Source, SourceInit } from '../credentials/sources/types.js';
import { checkPrivateKeyFile } from './deviceFiles.js';
import { fromIotCertificate } from './fromIotCertificate.js';
import { parseIotProfile } from './profile.js';

/**
 * The source of an IoT profile (see profile.ts): a session of the role behind its role alias,
 * fetched now (so a refusal ends the command before it starts work) and refreshed early like every
 * session. It is a role session: a role assumed from it is role chaining (1 h cap).
 */
export async function iotSource(
  name: string,
  settings: Record<string, string>,
  init: SourceInit,
): Promise<Source> {
  const iot = parseIotProfile(name, settings, init.files.configFile);
  // Before any request: a key open to others is bad input (exit 2), as it is for ssh.
  await checkPrivateKeyFile(iot.privateKeyFile, { profile: name, env: init.env });
  const region = regionFrom(init, iot.region);
  const fetch = fromIotCertificate({ profile: name, iot: { ...iot, region }, env: init.env });
  const first = await fetch();
  return {
    profile: name,
    region,
    credentials: refreshing(fetch, { minTtlSeconds: init.minTtlSeconds, initial: first }),
    roleSession: true,
  };
}
