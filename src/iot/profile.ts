/**
 * An IoT profile: `[profile NAME]` settings that say where a device's certificate, key and CA are
 * and which credentials-provider endpoint, role alias and thing to ask. botocore and the AWS CLI
 * ignore keys they do not know, so these live beside a `credential_process` line that lets every
 * AWS tool use the profile through tempcreds. Pure: parsing, validation and writing only.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isRegionName } from '../aws/partition.js';
import { shellWord } from '../credentials/profileSettings.js';
import { usageError } from '../errors.js';

/** The setting names, as they appear in the config file. */
export const IOT_SETTINGS = {
  endpoint: 'tempcreds_iot_endpoint',
  roleAlias: 'tempcreds_iot_role_alias',
  thingName: 'tempcreds_iot_thing_name',
  certificateFile: 'tempcreds_iot_cert',
  privateKeyFile: 'tempcreds_iot_key',
  caFile: 'tempcreds_iot_ca',
} as const;

/** What a device needs to ask AWS IoT's credentials provider for a session. */
export interface IotProfile {
  /** The `iot:CredentialProvider` endpoint, `host` or `host:port` (also the TLS server name). */
  endpoint: string;
  /** The AWS IoT role alias whose role the sessions are for (`tempcreds_iot_role_alias`). */
  roleAlias: string;
  /** Sent as `x-amzn-iot-thingname`; AWS then checks the certificate is attached to this thing. */
  thingName?: string;
  /** The device's X.509 certificate (PEM), as an absolute path (`tempcreds_iot_cert`). */
  certificateFile: string;
  /** Its private key (PEM), absolute; refused when group or others can read it (`tempcreds_iot_key`). */
  privateKeyFile: string;
  /** CA bundle to trust for the endpoint; undefined: the embedded Amazon roots. */
  caFile?: string;
  /** The profile's `region`, else the endpoint's. */
  region?: string;
}

/** A profile is an IoT profile when any `tempcreds_iot_*` setting is present. */
export function isIotProfile(settings: Record<string, string>): boolean {
  return Object.keys(settings).some((key) => key.startsWith('tempcreds_iot_'));
}

/** Role alias names: 1..128 of `[\w=,@-]` (CreateRoleAlias). */
export function validateRoleAlias(alias: string, what = '--role-alias'): string {
  if (!/^[\w=,@-]{1,128}$/.test(alias)) {
    throw usageError(
      `${what} "${alias}" is not a role alias name (1-128 letters, digits and _=,@-).`,
      'Use a name like collector-role-alias.',
    );
  }
  return alias;
}

/** Thing names: 1..128 of `[a-zA-Z0-9:_-]` (CreateThing). */
export function validateThingName(name: string, what = '--thing'): string {
  if (!/^[a-zA-Z0-9:_-]{1,128}$/.test(name)) {
    throw usageError(
      `${what} "${name}" is not a thing name (1-128 letters, digits and :_-).`,
      'Use a name like collector-0001.',
    );
  }
  return name;
}

/** `host`, `host:port` or `https://host[:port][/]`, as `host[:port]`; anything else is refused. */
export function parseEndpoint(text: string, what: string): string {
  const bare = text.replace(/^https:\/\//i, '').replace(/\/$/, '');
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$/i.test(bare)) {
    throw usageError(
      `${what} "${text}" is not a host name.`,
      'Use the address aws iot describe-endpoint --endpoint-type iot:CredentialProvider prints.',
    );
  }
  return bare.toLowerCase();
}

/**
 * The region in a credentials-provider host name (`<prefix>.credentials.iot.<region>.amazonaws.com`
 * or `.amazonaws.com.cn`), or undefined for any other name.
 */
export function regionOfEndpoint(endpoint: string): string | undefined {
  const host = endpoint.replace(/:\d+$/, '');
  const match = /\.credentials\.iot\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host);
  return match && isRegionName(match[1] as string) ? match[1] : undefined;
}

/** A path from the profile: `~/` is the home directory, a relative path is relative to the config file. */
function settingPath(value: string, configFile: string, home: string): string {
  if (value === '~') return home;
  if (value.startsWith('~/')) return join(home, value.slice(2));
  return isAbsolute(value) ? value : resolve(dirname(configFile), value);
}

/**
 * Reads an IoT profile's settings. Throws a usage error naming the profile and the missing or
 * malformed setting, so a broken profile fails before any file is read or any request made.
 */
export function parseIotProfile(
  name: string,
  settings: Record<string, string>,
  configFile: string,
  home: string = homedir(),
): IotProfile {
  const missing = (['endpoint', 'roleAlias', 'certificateFile', 'privateKeyFile'] as const).filter(
    (key) => !settings[IOT_SETTINGS[key]],
  );
  if (missing.length > 0) {
    const keys = missing.map((key) => IOT_SETTINGS[key]).join(', ');
    throw usageError(
      `IoT profile "${name}" lacks ${keys}.`,
      `Write the profile with: tempcreds iot setup --thing THING --role ROLE --out DIR --profile-name ${name} (administrator credentials), or add ${keys} to [profile ${name}].`,
    );
  }
  const at = (key: keyof typeof IOT_SETTINGS) => `${IOT_SETTINGS[key]} of profile ${name}`;
  const endpoint = parseEndpoint(settings[IOT_SETTINGS.endpoint] as string, at('endpoint'));
  const thing = settings[IOT_SETTINGS.thingName];
  const ca = settings[IOT_SETTINGS.caFile];
  const region = settings.region || regionOfEndpoint(endpoint);
  return {
    endpoint,
    roleAlias: validateRoleAlias(settings[IOT_SETTINGS.roleAlias] as string, at('roleAlias')),
    thingName: thing ? validateThingName(thing, at('thingName')) : undefined,
    certificateFile: settingPath(settings[IOT_SETTINGS.certificateFile] as string, configFile, home),
    privateKeyFile: settingPath(settings[IOT_SETTINGS.privateKeyFile] as string, configFile, home),
    caFile: ca ? settingPath(ca, configFile, home) : undefined,
    region: region || undefined,
  };
}

/**
 * The `[profile NAME]` settings `iot setup --profile-name` writes: the IoT settings, the region,
 * and `credential_process` (tempcreds, by absolute paths) so every AWS tool can use the profile.
 * Settings of other kinds of profile are removed (null), so exactly one way to get credentials is left.
 */
export function iotProfileSettings(
  profile: string,
  iot: Required<Omit<IotProfile, 'thingName'>> & Pick<IotProfile, 'thingName'>,
  launcher: string[],
): Record<string, string | null> {
  const command = [...launcher, 'credential-process', '--profile', profile];
  return {
    [IOT_SETTINGS.endpoint]: iot.endpoint,
    [IOT_SETTINGS.roleAlias]: iot.roleAlias,
    [IOT_SETTINGS.thingName]: iot.thingName ?? null,
    [IOT_SETTINGS.certificateFile]: iot.certificateFile,
    [IOT_SETTINGS.privateKeyFile]: iot.privateKeyFile,
    [IOT_SETTINGS.caFile]: iot.caFile,
    region: iot.region,
    credential_process: command.map(shellWord).join(' '),
    role_arn: null,
    source_profile: null,
    credential_source: null,
    role_session_name: null,
    duration_seconds: null,
    external_id: null,
    mfa_serial: null,
  };
}

/** Keys of the credentials file that would shadow `credential_process` for every AWS tool. */
export const SHADOWING_KEYS: Record<string, null> = {
  aws_access_key_id: null,
  aws_secret_access_key: null,
  aws_session_token: null,
  aws_security_token: null,
};
