/**
 * The device directory `iot setup --out DIR` fills: the certificate, the private key (when setup
 * made it), the CA bundle and `device.json` (the endpoint, role alias, thing and certificate, no
 * secret), so a device can be configured from DIR alone (`tempcreds iot configure --dir DIR`).
 * Paths in device.json are relative to DIR: it can be copied anywhere.
 */
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../errors.js';

export const DEVICE_FILES = {
  certificate: 'certificate.pem.crt',
  privateKey: 'private.pem.key',
  ca: 'AmazonRootCA.pem',
  device: 'device.json',
} as const;

export type DeviceFileKind = keyof typeof DEVICE_FILES;

/** What device.json records. */
export interface DeviceRecord {
  /** The `iot:CredentialProvider` endpoint, `host` or `host:port`. */
  endpoint: string;
  /** The endpoint's region. */
  region: string;
  /** The role alias the device asks for. */
  roleAlias: string;
  /** The thing the certificate is attached to, sent as `x-amzn-iot-thingname`. */
  thingName: string;
  /** AWS IoT's ID of the certificate (SHA-256 of its DER, hex). */
  certificateId: string;
  /** The certificate's ARN. */
  certificateArn: string;
  /** The certificate, relative to DIR in device.json (`certificate.pem.crt`). */
  certificateFile: string;
  /** Absent when the key never left the device (`--csr`). */
  privateKeyFile?: string;
  /** The CA bundle, relative to DIR in device.json (`AmazonRootCA.pem`). */
  caFile: string;
}

/** What DIR holds now; a missing file is undefined. */
export interface DeviceDirContents {
  /** `certificate.pem.crt`, PEM. */
  certificate?: string;
  /** `private.pem.key`, PEM (a secret: never logged). */
  privateKey?: string;
  /** `AmazonRootCA.pem`, PEM. */
  ca?: string;
  /** `device.json`, parsed. */
  device?: DeviceRecord;
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw usageError(
      `Cannot read ${path} (${(err as NodeJS.ErrnoException).code}).`,
      'Check the permissions of --out.',
    );
  }
}

function parseRecord(text: string | undefined, path: string): DeviceRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const data = JSON.parse(text) as DeviceRecord;
    if (typeof data.endpoint === 'string' && typeof data.certificateId === 'string') return data;
  } catch {
    // fall through
  }
  throw usageError(`${path} is not a device.json tempcreds wrote.`, `Remove it, or use another --out.`);
}

/**
 * DIR must be a directory only its owner can write (it receives a private key); a missing DIR
 * is fine (setup makes it, 0700).
 */
export async function checkDeviceDir(dir: string, uid = process.getuid?.()): Promise<boolean> {
  const info = await lstat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw usageError(`Cannot read --out ${dir} (${err.code}).`, 'Use a directory of yours.');
  });
  if (!info) return false;
  if (!info.isDirectory()) throw usageError(`--out ${dir} is not a directory.`, 'Give a directory.');
  if (process.platform !== 'win32' && uid !== undefined) {
    if (info.uid !== uid && info.uid !== 0)
      throw usageError(`--out ${dir} belongs to uid ${info.uid}, not to you.`, 'Use a directory of yours.');
    if ((info.mode & 0o022) !== 0)
      throw usageError(
        `--out ${dir} can be written by others (mode 0${(info.mode & 0o777).toString(8)}): it will hold a private key.`,
        `chmod go-w ${dir}`,
      );
  }
  return true;
}

/** The files of DIR, each undefined when missing. */
export async function readDeviceDir(dir: string): Promise<DeviceDirContents> {
  const path = (kind: DeviceFileKind) => join(dir, DEVICE_FILES[kind]);
  const [certificate, privateKey, ca, device] = await Promise.all([
    readIfThere(path('certificate')),
    readIfThere(path('privateKey')),
    readIfThere(path('ca')),
    readIfThere(path('device')),
  ]);
  return { certificate, privateKey, ca, device: parseRecord(device, path('device')) };
}

/** Writes one file of DIR atomically: the private key 0600, the rest 0644. */
export async function writeDeviceFile(dir: string, kind: DeviceFileKind, content: string): Promise<string> {
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, DEVICE_FILES[kind]);
  await writeFileAtomic(path, content, { mode: kind === 'privateKey' ? 0o600 : 0o644, fsync: true });
  return path;
}

/** device.json's text, its keys always in one order, so equal records compare equal as text. */
export function deviceRecordText(r: DeviceRecord): string {
  const ordered: DeviceRecord = {
    endpoint: r.endpoint,
    region: r.region,
    roleAlias: r.roleAlias,
    thingName: r.thingName,
    certificateId: r.certificateId,
    certificateArn: r.certificateArn,
    certificateFile: r.certificateFile,
    privateKeyFile: r.privateKeyFile,
    caFile: r.caFile,
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}
