/**
 * The device's certificate, private key and CA bundle, read as ssh reads its keys: a private key
 * that group or others can read, or that another user owns, is refused (exit 2, with the chmod to
 * run), and so is a certificate or CA that someone else could have replaced.
 */
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { usageError } from '../errors.js';
import { amazonRootCaBundle } from './amazonRootCa.js';
import { IOT_SETTINGS, type IotProfile } from './profile.js';

/** What the TLS client presents and trusts. */
export interface DeviceFiles {
  /** The device's certificate, PEM. */
  certificate: string;
  /** Its private key, PEM (a secret: never logged). */
  privateKey: string;
  /** PEM bundle of the CAs the endpoint's certificate must chain to. */
  ca: string;
  /** Where `ca` came from: a file, or `the embedded Amazon roots`. */
  caSource: string;
  /** AWS IoT's certificateId: SHA-256 of the certificate's DER, hex. */
  certificateId: string;
  /** When the certificate stops being valid. */
  validTo: Date;
}

/** Who reads the files (ownership checks) and for which profile (named in messages). */
export interface DeviceFileOptions {
  /** Names the profile in messages. */
  profile: string;
  /** Read for `TEMPCREDS_IOT_CA_FILE`, which overrides the profile's CA bundle. */
  env: NodeJS.ProcessEnv;
  /** The caller's uid (default `process.getuid()`); undefined skips ownership checks (Windows). */
  uid?: number;
  /** The clock the certificate's validity is checked against (default: the system clock). */
  now?: () => Date;
}

const PERMISSIVE = process.platform === 'win32';

function currentUid(options: DeviceFileOptions): number | undefined {
  if (PERMISSIVE) return undefined;
  return options.uid ?? process.getuid?.();
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

async function statOf(path: string, what: string) {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw usageError(
      `Cannot read ${what} ${path} (${err.code ?? err.message}).`,
      `Check the path in ${what}.`,
    );
  });
  if (!info.isFile()) throw usageError(`${what} ${path} is not a file.`, `Point ${what} at the file.`);
  return info;
}

/** ssh's rule for private keys: owned by the user (or root), no access for group or others. */
export async function checkPrivateKeyFile(path: string, options: DeviceFileOptions): Promise<void> {
  const what = `${IOT_SETTINGS.privateKeyFile} of profile ${options.profile}`;
  const info = await statOf(path, what);
  const uid = currentUid(options);
  if (uid === undefined) return;
  if (info.uid !== uid && info.uid !== 0) {
    throw usageError(
      `Private key ${path} (${what}) belongs to uid ${info.uid}, not to you (uid ${uid}): another user controls this device's identity.`,
      `Make it yours: sudo chown ${uid} ${path} && chmod 600 ${path}`,
    );
  }
  if ((info.mode & 0o077) !== 0) {
    const who =
      info.mode & 0o070 && info.mode & 0o007 ? 'group and others' : info.mode & 0o070 ? 'group' : 'others';
    throw usageError(
      `Private key ${path} (${what}) is open to ${who} (mode ${octal(info.mode)}): whoever can read it can get this device's AWS credentials; like ssh, tempcreds refuses it.`,
      `chmod 600 ${path}`,
    );
  }
}

/** A certificate or CA file: no one else may have written it. */
async function checkNotWritableByOthers(path: string, what: string, options: DeviceFileOptions) {
  const info = await statOf(path, what);
  const uid = currentUid(options);
  if (uid === undefined) return;
  if (info.uid !== uid && info.uid !== 0) {
    throw usageError(
      `${what} ${path} belongs to uid ${info.uid}, not to you (uid ${uid}) or root: another user could have replaced it.`,
      `Make it yours: sudo chown ${uid} ${path}`,
    );
  }
  if ((info.mode & 0o022) !== 0) {
    throw usageError(
      `${what} ${path} can be written by ${info.mode & 0o020 ? 'group' : 'others'} (mode ${octal(info.mode)}): another user could replace it.`,
      `chmod go-w ${path}`,
    );
  }
}

function parseKey(text: string, path: string): KeyObject {
  try {
    return createPrivateKey(text);
  } catch (err) {
    const encrypted = /ENCRYPTED|passphrase/i.test(text) || /passphrase/i.test(String(err));
    throw usageError(
      encrypted
        ? `Private key ${path} is encrypted with a passphrase, which a device cannot type.`
        : `${path} is not a PEM private key.`,
      encrypted
        ? `Store it unencrypted and mode 0600: openssl pkey -in ${path} -out ${path}.plain && chmod 600 ${path}.plain`
        : 'Point tempcreds_iot_key at the key that belongs to the certificate.',
    );
  }
}

function parseCertificate(text: string, path: string): X509Certificate {
  try {
    return new X509Certificate(text);
  } catch {
    throw usageError(
      `${path} is not a PEM certificate.`,
      'Point tempcreds_iot_cert at the certificate AWS IoT issued or registered.',
    );
  }
}

/** AWS IoT's certificateId of a PEM certificate: SHA-256 of its DER encoding. */
export function certificateIdOf(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/**
 * Reads and checks the three files. `TEMPCREDS_IOT_CA_FILE` replaces the profile's CA (a local
 * test provider); without either, the embedded Amazon roots are trusted.
 */
export async function readDeviceFiles(iot: IotProfile, options: DeviceFileOptions): Promise<DeviceFiles> {
  const certWhat = `${IOT_SETTINGS.certificateFile} of profile ${options.profile}`;
  await checkPrivateKeyFile(iot.privateKeyFile, options);
  await checkNotWritableByOthers(iot.certificateFile, certWhat, options);
  const caFile = options.env.TEMPCREDS_IOT_CA_FILE || iot.caFile;
  const caWhat = options.env.TEMPCREDS_IOT_CA_FILE
    ? 'TEMPCREDS_IOT_CA_FILE'
    : `${IOT_SETTINGS.caFile} of profile ${options.profile}`;
  if (caFile) await checkNotWritableByOthers(caFile, caWhat, options);

  const [privateKey, certificate, ca] = await Promise.all([
    readFile(iot.privateKeyFile, 'utf8'),
    readFile(iot.certificateFile, 'utf8'),
    caFile ? readFile(caFile, 'utf8') : amazonRootCaBundle(),
  ]);
  const key = parseKey(privateKey, iot.privateKeyFile);
  const x509 = parseCertificate(certificate, iot.certificateFile);
  if (!x509.checkPrivateKey(key)) {
    throw usageError(
      `Private key ${iot.privateKeyFile} is not the key of certificate ${iot.certificateFile}.`,
      'Point tempcreds_iot_key and tempcreds_iot_cert at the pair that belongs together.',
    );
  }
  const validTo = new Date(x509.validTo);
  const now = options.now?.() ?? new Date();
  if (validTo.getTime() <= now.getTime()) {
    throw usageError(
      `Certificate ${iot.certificateFile} expired on ${validTo.toISOString()}: AWS IoT refuses it.`,
      'Issue a new one: tempcreds iot setup --thing THING --role ROLE --csr FILE --out DIR (administrator credentials).',
    );
  }
  return {
    certificate,
    privateKey,
    ca,
    caSource: caFile ?? 'the embedded Amazon roots',
    certificateId: createHash('sha256').update(x509.raw).digest('hex'),
    validTo,
  };
}
