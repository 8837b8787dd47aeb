/**
 * What every profile of the two AWS files is, as botocore (so the AWS CLI) would resolve it: its
 * kind of credentials, where a role's source chain leads, and why a chain is broken. Pure: it
 * reads parsed files only, never a secret's value, and calls nothing.
 */
import { getSection, sectionKeys, flatten, type IniDocument } from '../config/ini.js';
import type { AwsFiles } from '../config/paths.js';
import { configProfiles, configSsoSessions, profileNames, profileOf, readBoth } from '../config/profiles.js';
import { shownName } from '../config/shown.js';
import { rfc3339 } from './timestamps.js';

/** How a profile gets credentials (cli.md's kinds, and `none` for a profile of settings only). */
export type ProfileKindName = 'keys' | 'role' | 'sso' | 'login' | 'process' | 'iot' | 'session' | 'none';

/** One profile as `tempcreds profiles --output json` prints it. Keys appear in this order. */
export interface ProfileListing {
  /** The profile's name, as `--profile` takes it. */
  name: string;
  /** How it gets credentials. */
  kind: ProfileKindName;
  /** The profile's `region`, or null. */
  region: string | null;
  /** `role_arn`: the role it assumes. */
  roleArn?: string;
  /** `source_profile`: the profile whose credentials assume the role. */
  source?: string;
  /** `credential_source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`). */
  credentialSource?: string;
  /** `web_identity_token_file`: the OIDC token that assumes the role. */
  webIdentityTokenFile?: string;
  /** The profiles after this one down to the one whose credentials sign (`source` first). */
  chain?: string[];
  /** How the last profile of `chain` gets its credentials. */
  sourceKind?: ProfileKindName;
  /** `sso_session`: the `[sso-session]` section with the start URL. */
  ssoSession?: string;
  /** `sso_account_id`. */
  ssoAccountId?: string;
  /** `sso_role_name`: the permission set's role. */
  ssoRoleName?: string;
  /** `tempcreds_iot_role_alias`: the AWS IoT role alias the certificate is exchanged through. */
  iotRoleAlias?: string;
  /** A session's `aws_credential_expiration` (what `assume --write-profile` saves), RFC 3339. */
  expiration?: string;
  /** Why the AWS CLI could not get credentials from this profile. */
  broken?: string;
}

/** `credential_source` values botocore knows. */
const CREDENTIAL_SOURCES = ['Environment', 'Ec2InstanceMetadata', 'EcsContainer'];
/** What an IoT profile cannot do without (tempcreds' own settings, see `tempcreds iot setup`). */
const IOT_REQUIRED = [
  'tempcreds_iot_endpoint',
  'tempcreds_iot_role_alias',
  'tempcreds_iot_cert',
  'tempcreds_iot_key',
];
const SSO_REQUIRED = ['sso_start_url', 'sso_region', 'sso_account_id', 'sso_role_name'];

type Settings = Record<string, string>;
/** What one way of getting credentials found: the kind and its own fields. */
type Found = Omit<ProfileListing, 'name' | 'region'>;

/** The two files, parsed, and what is looked up in them. */
interface Files {
  config: IniDocument;
  credentials: IniDocument;
  sessions: Map<string, string>;
  profiles: Map<string, string>;
}

/**
 * Every profile of both files, in the order `aws configure list-profiles` prints them (the config
 * file's, then those only in the credentials file), each with its kind and, for a role, its source
 * chain followed as botocore follows it. The same files always give the same list.
 */
export function listProfileKinds(config: IniDocument, credentials: IniDocument): ProfileListing[] {
  const files: Files = {
    config,
    credentials,
    sessions: configSsoSessions(config),
    profiles: configProfiles(config),
  };
  return profileNames(config, credentials).map((name) => describe(files, name));
}

function describe(files: Files, name: string): ProfileListing {
  const settings = mergedSettings(files, name) ?? {};
  const found = credentialsOf(files, name, settings, true);
  return { name, kind: found.kind, region: settings.region || null, ...withoutKind(found) };
}

function withoutKind(found: Found): Omit<Found, 'kind'> {
  const { kind: _kind, ...rest } = found;
  return rest;
}

function mergedSettings(files: Files, name: string): Settings | undefined {
  return profileOf(files.config, files.credentials, name)?.settings;
}

/**
 * botocore's order: IoT first (tempcreds' own settings, over the credential_process line they
 * carry for other tools), then a role (skipped when the profile is a role's source and has keys),
 * web identity, SSO, the credentials file's keys, `aws login`, credential_process, the config
 * file's keys.
 */
function credentialsOf(files: Files, name: string, s: Settings, withRole: boolean): Found {
  if (Object.keys(s).some((key) => key.startsWith('tempcreds_iot_'))) return iot(s);
  if (withRole && s.role_arn !== undefined && s.web_identity_token_file === undefined) {
    return role(files, name, s);
  }
  if (s.web_identity_token_file !== undefined) return webIdentity(s);
  if (s.sso_account_id !== undefined || s.sso_role_name !== undefined) return sso(files, s);
  const fromCredentialsFile = keys(fileSettings(files.credentials, name), s);
  if (fromCredentialsFile) return fromCredentialsFile;
  if (s.login_session !== undefined) return { kind: 'login' };
  if (s.credential_process !== undefined) return { kind: 'process' };
  const section = files.profiles.get(name);
  const fromConfigFile = keys(section === undefined ? undefined : getSection(files.config, section), s);
  if (fromConfigFile) return fromConfigFile;
  if (s.sso_session !== undefined || s.sso_start_url !== undefined) {
    return {
      kind: 'sso',
      ...(s.sso_session !== undefined && { ssoSession: s.sso_session }),
      broken: 'it holds an IAM Identity Center login only: no sso_account_id and sso_role_name',
    };
  }
  return { kind: 'none' };
}

function fileSettings(doc: IniDocument, section: string): Settings | undefined {
  const found = sectionKeys(doc, section);
  return found && flatten(found.values());
}

/** Keys in one file's section (botocore reads each file on its own), or undefined when it has none. */
function keys(section: Settings | undefined, merged: Settings): Found | undefined {
  if (section?.aws_access_key_id === undefined) return undefined;
  if (!section.aws_secret_access_key) {
    return { kind: 'keys', broken: 'aws_access_key_id without aws_secret_access_key' };
  }
  // botocore reads aws_security_token first; an empty token signs as no token.
  if (!(section.aws_security_token ?? section.aws_session_token)) return { kind: 'keys' };
  const expiration = expirationOf(merged.aws_credential_expiration);
  return { kind: 'session', ...(expiration && { expiration }) };
}

function expirationOf(text: string | undefined): string | undefined {
  const ms = text === undefined ? NaN : Date.parse(text);
  return Number.isNaN(ms) ? undefined : rfc3339(new Date(ms));
}

function iot(s: Settings): Found {
  const missing = IOT_REQUIRED.filter((key) => !s[key]);
  return {
    kind: 'iot',
    ...(s.tempcreds_iot_role_alias && { iotRoleAlias: s.tempcreds_iot_role_alias }),
    ...(missing.length > 0 && { broken: `it lacks ${missing.join(', ')}` }),
  };
}

function webIdentity(s: Settings): Found {
  return {
    kind: 'role',
    ...(s.role_arn !== undefined && { roleArn: s.role_arn }),
    webIdentityTokenFile: s.web_identity_token_file,
    ...(s.role_arn === undefined && { broken: 'web_identity_token_file without role_arn' }),
  };
}

/** botocore's SSOProvider: the profile's settings, completed (never contradicted) by its sso-session. */
function sso(files: Files, s: Settings): Found {
  const fields: Found = {
    kind: 'sso',
    ...(s.sso_session !== undefined && { ssoSession: s.sso_session }),
    ...(s.sso_account_id !== undefined && { ssoAccountId: s.sso_account_id }),
    ...(s.sso_role_name !== undefined && { ssoRoleName: s.sso_role_name }),
  };
  let resolved = s;
  if (s.sso_session !== undefined) {
    const section = files.sessions.get(s.sso_session);
    if (section === undefined) {
      return { ...fields, broken: `sso_session ${shownName(s.sso_session)} has no [sso-session] section` };
    }
    const session = getSection(files.config, section) ?? {};
    const differing = Object.keys(session).find((key) => s[key] !== undefined && s[key] !== session[key]);
    if (differing) {
      return { ...fields, broken: `${differing} differs between the profile and its [sso-session]` };
    }
    resolved = { ...s, ...session };
  }
  const missing = SSO_REQUIRED.filter((key) => resolved[key] === undefined);
  return missing.length > 0 ? { ...fields, broken: `it lacks ${missing.join(', ')}` } : fields;
}

/** A role profile: its source, followed down the chain as botocore's AssumeRoleProvider does. */
function role(files: Files, name: string, s: Settings): Found {
  const fields: Found = { kind: 'role', roleArn: s.role_arn };
  const own = roleSourceProblem(s);
  if (own) return { ...fields, ...sourceFields(s), broken: own };
  if (s.credential_source !== undefined) return { ...fields, credentialSource: s.credential_source };
  const walk = followSource(files, name, s.source_profile as string);
  return {
    ...fields,
    source: s.source_profile,
    chain: walk.chain,
    ...(walk.sourceKind && { sourceKind: walk.sourceKind }),
    ...(walk.broken && { broken: walk.broken }),
  };
}

function sourceFields(s: Settings): Pick<ProfileListing, 'source' | 'credentialSource'> {
  return {
    ...(s.source_profile !== undefined && { source: s.source_profile }),
    ...(s.credential_source !== undefined && { credentialSource: s.credential_source }),
  };
}

/** What is wrong with a role profile's own source settings, if anything. */
function roleSourceProblem(s: Settings): string | undefined {
  const { source_profile: source, credential_source: credentialSource } = s;
  if (source !== undefined && credentialSource !== undefined) {
    return 'it has both source_profile and credential_source';
  }
  if (source === undefined && credentialSource === undefined) {
    return 'it has role_arn but neither source_profile nor credential_source';
  }
  if (credentialSource !== undefined && !CREDENTIAL_SOURCES.includes(credentialSource)) {
    return `credential_source ${shownName(credentialSource)} is not ${CREDENTIAL_SOURCES.join(', ')}`;
  }
  return undefined;
}

interface Walk {
  chain: string[];
  sourceKind?: ProfileKindName;
  broken?: string;
}

/**
 * From `top`'s source_profile down to the profile whose credentials sign. A source with keys (or
 * without role_arn) ends the chain with its own credentials; a role source goes on. A profile may
 * name itself when it has keys (they assume its role); any other return to a visited one is a loop.
 */
function followSource(files: Files, top: string, first: string): Walk {
  const visited = [top];
  const chain: string[] = [];
  let parent = top;
  for (let current = first; ;) {
    chain.push(current);
    const s = mergedSettings(files, current);
    const path = () => [...visited, current].map(shownName).join(' -> ');
    if (s === undefined) return { chain, broken: `source_profile ${shownName(current)} does not exist` };
    const hasKeys = s.aws_access_key_id !== undefined || s.aws_secret_access_key !== undefined;
    if (visited.includes(current) && (current !== parent || !hasKeys)) {
      return { chain, broken: `source_profile loop: ${path()}` };
    }
    if (hasKeys || s.role_arn === undefined || s.web_identity_token_file !== undefined) {
      return ended(chain, current, credentialsOf(files, current, s, false));
    }
    const problem = roleSourceProblem(s);
    if (problem) return { chain, broken: `source profile ${shownName(current)}: ${problem}` };
    if (s.credential_source !== undefined) return { chain };
    visited.push(current);
    parent = current;
    current = s.source_profile as string;
  }
}

function ended(chain: string[], name: string, found: Found): Walk {
  if (found.kind === 'none') return { chain, broken: `source profile ${shownName(name)} has no credentials` };
  if (found.broken)
    return { chain, sourceKind: found.kind, broken: `source profile ${shownName(name)}: ${found.broken}` };
  return { chain, sourceKind: found.kind };
}

/** {@link listProfileKinds} of the user's two files (missing files are empty). */
export async function readProfileList(files: AwsFiles): Promise<ProfileListing[]> {
  const [config, credentials] = await readBoth(files);
  return listProfileKinds(config, credentials);
}
