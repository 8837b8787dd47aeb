import { isAbsolute, join, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { DEVICE_FILES, readDeviceDir } from './deviceDir.js';
import type { IotProfile } from './profile.js';

/**
 * The IoT profile a device gets from the DIR iot setup filled (and that was copied to it):
 * device.json's endpoint, alias, thing and region, with the files' paths made absolute here.
 * `privateKeyFile` is where the CSR's key is, when the key never was in DIR.
 */
export async function deviceProfileFromDir(
  dir: string,
  privateKeyFile?: string,
): Promise<Required<Omit<IotProfile, 'thingName'>> & Pick<IotProfile, 'thingName'>> {
  const contents = await readDeviceDir(dir);
  const record = contents.device;
  if (!record) {
    throw usageError(
      `${join(dir, DEVICE_FILES.device)} is missing: --dir must be a directory tempcreds iot setup filled.`,
      'Copy the whole --out directory of iot setup to the device, and point --dir at it.',
    );
  }
  const inDir = (file: string) => (isAbsolute(file) ? file : resolve(dir, file));
  const key = privateKeyFile ?? (record.privateKeyFile ? inDir(record.privateKeyFile) : undefined);
  if (!key) {
    throw usageError(
      `${join(dir, DEVICE_FILES.device)} names no private key (the certificate came from a CSR).`,
      'Pass --key FILE: the key the device made the CSR with.',
    );
  }
  return {
    endpoint: record.endpoint,
    region: record.region,
    roleAlias: record.roleAlias,
    thingName: record.thingName,
    certificateFile: inDir(record.certificateFile),
    privateKeyFile: key,
    caFile: inDir(record.caFile),
  };
}
