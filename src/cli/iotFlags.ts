/** `iot setup` / `iot teardown` flags into typed, already-valid inputs: every check that needs no AWS call. */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { parseRoleRef } from '../aws/arn.js';
import { validateProfileName } from '../config/profileName.js';
import { parseSeconds } from '../credentials/duration.js';
import { usageError } from '../errors.js';
import { amazonRootCaBundle } from '../iot/amazonRootCa.js';
import { csrPublicKey } from '../iot/csr.js';
import { validateRoleAlias, validateThingName } from '../iot/profile.js';
import { MAX_CREDENTIAL_DURATION, MIN_CREDENTIAL_DURATION, type IotSetupInput } from '../iot/setupPlan.js';
import type { IotTeardownInput } from '../iot/teardownPlan.js';

export interface IotSetupFlags {
  thing: string;
  role: string;
  roleAlias?: string;
  policy?: string;
  csr?: string;
  createKeys?: boolean;
  key?: string;
  out: string;
  credentialDuration?: string;
  profileName?: string;
  caFile?: string;
  dryRun?: boolean;
  yes?: boolean;
}

/** IoT policy names: 1..128 of `[\w+=,.@-]` (CreatePolicy). */
export function validateIotPolicyName(name: string, flag = '--policy'): string {
  if (!/^[\w+=,.@-]{1,128}$/.test(name)) {
    throw usageError(
      `${flag} "${name}" is not an IoT policy name (1-128 letters, digits and +=,.@_-).`,
      'Use a name like collector-alias-policy.',
    );
  }
  return name;
}

/** Default names follow the role: `<role>-alias`, and `<alias>-policy`. */
export function defaultRoleAlias(role: string): string {
  return `${parseRoleRef(role).roleName}-alias`.slice(0, 128);
}

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw usageError(
      `Cannot read ${flag} ${path} (${(err as NodeJS.ErrnoException).code}).`,
      `Check the path of ${flag}.`,
    );
  }
}

function parseCredentialDuration(text: string | undefined): number {
  if (text === undefined) return 3600;
  const seconds = parseSeconds(text);
  if (seconds === undefined || seconds < MIN_CREDENTIAL_DURATION || seconds > MAX_CREDENTIAL_DURATION) {
    throw usageError(
      `--credential-duration "${text}" is not a credentialDurationSeconds: AWS IoT allows 900..43200 seconds (15m..12h).`,
      'Use e.g. 3600 or 1h (at most the role’s MaxSessionDuration).',
    );
  }
  return seconds;
}

function parseCaFile(path: string | undefined, cwd: string): string {
  if (path === undefined) return amazonRootCaBundle();
  const text = readText(resolve(cwd, path), '--ca-file');
  try {
    new X509Certificate(text);
  } catch {
    throw usageError(
      `--ca-file ${path} holds no PEM certificate.`,
      'Give the CA bundle the endpoint’s certificate chains to.',
    );
  }
  return text;
}

function parseCertificateSource(flags: IotSetupFlags, cwd: string): IotSetupInput['certificate'] {
  if (flags.csr !== undefined && flags.createKeys) {
    throw usageError(
      '--csr and --create-keys are two ways to make the certificate: give one.',
      'Prefer --csr: the private key then never leaves the device.',
    );
  }
  if (flags.key !== undefined && flags.csr === undefined)
    throw usageError(
      '--key goes with --csr (where the device keeps the CSR’s key).',
      'Add --csr FILE, or leave --key out.',
    );
  if (flags.createKeys) return { kind: 'createKeys' };
  if (flags.csr === undefined) return { kind: 'dir' };
  const file = resolve(cwd, flags.csr);
  const csrPem = readText(file, '--csr');
  csrPublicKey(csrPem, flags.csr);
  return { kind: 'csr', csrPem, file };
}

export function parseIotSetupInput(
  flags: IotSetupFlags,
  cwd: string,
  adminProfile: string | undefined,
  launcher: string[],
): IotSetupInput {
  parseRoleRef(flags.role);
  const roleAlias = validateRoleAlias(flags.roleAlias ?? defaultRoleAlias(flags.role));
  const profileName = flags.profileName === undefined ? undefined : validateProfileName(flags.profileName);
  if (profileName !== undefined && profileName === adminProfile) {
    throw usageError(
      `--profile-name ${profileName} is the administrator's profile (--profile): the device profile would replace it.`,
      'Use another --profile-name.',
    );
  }
  return {
    thingName: validateThingName(flags.thing),
    role: flags.role,
    roleAlias,
    policyName: validateIotPolicyName(flags.policy ?? `${roleAlias}-policy`.slice(0, 128)),
    certificate: parseCertificateSource(flags, cwd),
    outDir: resolve(cwd, flags.out),
    credentialDurationSeconds: parseCredentialDuration(flags.credentialDuration),
    profileName,
    privateKeyFile: flags.key === undefined ? undefined : resolve(cwd, flags.key),
    caPem: parseCaFile(flags.caFile, cwd),
    launcher,
  };
}

export function parseIotTeardownInput(
  flags: { thing: string; roleAlias?: string; policy?: string; out?: string; profileName?: string },
  cwd: string,
): IotTeardownInput {
  return {
    thingName: validateThingName(flags.thing),
    roleAlias: flags.roleAlias === undefined ? undefined : validateRoleAlias(flags.roleAlias),
    policyName: flags.policy === undefined ? undefined : validateIotPolicyName(flags.policy),
    outDir: flags.out === undefined ? undefined : resolve(cwd, flags.out),
    profileName: flags.profileName === undefined ? undefined : validateProfileName(flags.profileName),
  };
}
