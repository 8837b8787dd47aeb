import { TempcredsError, usageError } from '../errors.js';
import { readModel, renderIni, sectionKeys, sectionNames, type IniDocument } from './ini.js';
import { setValues } from './iniEdit.js';
import { sdkHeader, sdkParse, sdkProfile, type SdkKey } from './jsSdkIni.js';
import { configSectionName } from './paths.js';
import { isWritableProfileName } from './profileName.js';
import { configSectionProfile } from './profiles.js';
import { shownLine, shownName } from './shown.js';

type Values = Record<string, string | null>;

/** The changes {@link planProfileWrite} makes; `null` removes a key. */
export interface ProfileChanges {
  /** Keys for `[NAME]` of the credentials file (`aws_access_key_id`, ...). */
  credentials?: Record<string, string | null>;
  /** Keys for `[profile NAME]` (or `[default]`) of the config file (`region`, `role_arn`, ...). */
  config?: Record<string, string | null>;
}

/** Settings tempcreds removed from a profile so that what it wrote is what the AWS tools use. */
export interface RemovedSettings {
  /** Which of the two AWS files they were removed from. */
  file: 'config' | 'credentials';
  /** The file, as given. */
  path: string | undefined;
  /** The section header's name as written: `profile dev`, `dev`, `default`. */
  section: string;
  /** The removed keys, lower-cased as botocore reads them. */
  keys: string[];
  /** Why, in a few words: "AWS tools would use them instead of credential_process". */
  reason: string;
}

/** The two files of a profile write, before and after. */
export interface ProfileFiles {
  /** The config file (`~/.aws/config` or `AWS_CONFIG_FILE`). */
  config: IniDocument;
  /** The credentials file (`~/.aws/credentials` or `AWS_SHARED_CREDENTIALS_FILE`). */
  credentials: IniDocument;
}

/** How a write gives a profile its credentials; `undefined` when it writes other settings only. */
type Source = 'keys' | 'session' | 'role' | 'process';

/** Keys that make the AWS tools get credentials one way, by way. */
const WAYS = {
  keys: ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_security_token'],
  role: ['role_arn', 'source_profile', 'credential_source'],
  webIdentity: ['web_identity_token_file'],
  sso: ['sso_session', 'sso_start_url', 'sso_account_id', 'sso_role_name', 'sso_region'],
} as const;
type Way = keyof typeof WAYS;

/**
 * What wins over each source. botocore (the AWS CLI, boto3) tries: role_arn (unless
 * web_identity_token_file), web identity, SSO, keys of the credentials file, credential_process,
 * keys of the config file. The SDK for JavaScript v3 (`fromIni`, on the merged profile): role_arn
 * with a source, keys, web identity, credential_process, SSO. A way that wins in either reader
 * shadows the source.
 */
const SHADOWS: Record<Source, Way[]> = {
  keys: ['role', 'webIdentity', 'sso'],
  session: ['role', 'webIdentity', 'sso'],
  role: ['webIdentity'],
  process: ['keys', 'role', 'webIdentity', 'sso'],
};

const WHAT: Record<Source, string> = {
  keys: 'these keys',
  session: 'these session keys',
  role: 'role_arn',
  process: 'credential_process',
};

function sourceOf(changes: ProfileChanges): Source | undefined {
  const { credentials = {}, config = {} } = changes;
  if (typeof credentials.aws_access_key_id === 'string') {
    return typeof credentials.aws_session_token === 'string' ? 'session' : 'keys';
  }
  if (typeof config.credential_process === 'string') return 'process';
  if (typeof config.role_arn === 'string') return 'role';
  return undefined;
}

/** One file's side of the plan. */
interface Side {
  file: 'config' | 'credentials';
  doc: IniDocument;
  section: string;
  values: Values;
}

/**
 * Plans writing one profile into both files: its credentials into `[NAME]` of the credentials
 * file, its settings into `[profile NAME]` (or `[default]`) of the config file, never into
 * `[default]` unless NAME is `default`. So that what tempcreds writes is what the AWS tools use,
 * it also removes, and lists in `removed`: whatever would win over the credentials it writes
 * (static keys over credential_process, role_arn over keys, web identity and SSO settings), a key
 * it writes into one file from the other file (botocore and the JavaScript SDK would each take a
 * different one), and `aws_security_token` whenever it writes or removes `aws_session_token`
 * (botocore reads the old name first). It refuses (usage error) to remove or overwrite long-lived
 * keys (keys without a session token) with anything but keys, to take what wins from `[DEFAULT]`
 * (that would change every profile), and to write into a profile the AWS CLI and the SDK read from
 * different sections.
 */
export function planProfileWrite(
  files: ProfileFiles,
  profile: string,
  changes: ProfileChanges,
): ProfileFiles & { removed: RemovedSettings[] } {
  if (!isWritableProfileName(profile)) {
    throw usageError(
      `${shownName(profile)} cannot be a profile name: use letters, digits and _ - @ + . % : / (not DEFAULT).`,
      'Use a name like target-role-profile.',
    );
  }
  const sides: Side[] = [
    { file: 'credentials', doc: files.credentials, section: profile, values: { ...changes.credentials } },
    {
      file: 'config',
      doc: files.config,
      section: configSection(files.config, profile),
      values: { ...changes.config },
    },
  ];
  const source = sourceOf(changes);
  refuseLongLivedLoss(sides, source, changes);
  const removed = removals(sides, source);
  const result = { ...files, removed };
  for (const side of sides) {
    if (Object.keys(side.values).length > 0)
      result[side.file] = setValues(side.doc, side.section, side.values);
  }
  checkSdkSees(result, profile, sides, source);
  return result;
}

/** The config file section to write a profile to: the one both readers read it from. */
function configSection(config: IniDocument, profile: string): string {
  const model = readModel(config);
  const sections = sectionNames(config).filter((section) => configSectionProfile(section) === profile);
  const lineOf = (section: string) => model.headers.get(section) ?? 0;
  const canonical = configSectionName(profile);
  if (sections.length > 1) {
    const [first = '', second = ''] = sections.slice(-2);
    throw usageError(
      `${config.path ?? 'INI text'} line ${lineOf(first) + 1} [${first}] and line ${lineOf(second) + 1} [${second}] both define profile ${shownName(profile)}: the AWS CLI reads only the last one, the AWS SDK for JavaScript may read another.`,
      `Merge them into one [${canonical}] section.`,
    );
  }
  const [section] = sections;
  if (section === undefined) return canonical;
  const line = lineOf(section);
  const sdkName = sdkHeader(config.lines[line]?.text ?? '');
  if (sdkName !== `profile.${profile}` && !(profile === 'default' && sdkName === 'default')) {
    throw usageError(
      `${config.path ?? 'INI text'} line ${line + 1} is profile ${shownName(profile)} to the AWS CLI but not to the AWS SDK for JavaScript: ${shownLine(config.lines[line]?.text ?? '')}`,
      `Write the header as [${canonical}].`,
    );
  }
  return section;
}

/** The keys a side's section sets itself, and those it gets from `[DEFAULT]`. */
function keysOf(side: Side): { own: Set<string>; inherited: Set<string> } {
  const model = readModel(side.doc);
  const own = new Set(model.section(side.section)?.keys.keys());
  const all = sectionKeys(side.doc, side.section);
  return { own, inherited: new Set([...(all?.keys() ?? [])].filter((key) => !own.has(key))) };
}

function hasLongLivedKeys(keys: Set<string>): boolean {
  return keys.has('aws_access_key_id') && !keys.has('aws_session_token') && !keys.has('aws_security_token');
}

/** Long-lived keys are the user's only copy of a secret: never removed or overwritten by a session or process. */
function refuseLongLivedLoss(sides: Side[], source: Source | undefined, changes: ProfileChanges): void {
  if (source !== 'session' && source !== 'process') return;
  for (const side of sides) {
    // A session overwrites the credentials file's keys and removes the config file's.
    const lost =
      source === 'process' || side.file === 'config' || 'aws_access_key_id' in (changes.credentials ?? {});
    if (lost && hasLongLivedKeys(keysOf(side).own)) {
      throw usageError(
        `[${side.section}] of ${side.doc.path ?? 'INI text'} holds long-lived access keys (aws_access_key_id without a session token), which AWS tools would use instead of ${WHAT[source]}; tempcreds does not delete them.`,
        'Write to another profile name, or move those keys to another profile first.',
      );
    }
  }
}

/** Adds to each side's values (as `null`) what must go, and says what and why. */
function removals(sides: Side[], source: Source | undefined): RemovedSettings[] {
  const removed: RemovedSettings[] = [];
  const [credentials, config] = sides as [Side, Side];
  // Keys a side writes with a value; keys it was asked to remove are listed when present.
  const writing = new Map(sides.map((side) => [side, new Set(valued(side.values))]));
  const listed = new Map(sides.map((side) => [side, new Set<string>()]));
  const drop = (side: Side, keys: string[], reason: string) => {
    const { own, inherited } = keysOf(side);
    const candidates = keys.filter((key) => !writing.get(side)?.has(key) && !listed.get(side)?.has(key));
    refuseInherited(
      side,
      candidates.filter((key) => !own.has(key) && inherited.has(key)),
    );
    const present = candidates.filter((key) => own.has(key));
    if (present.length === 0) return;
    for (const key of present) {
      side.values[key] = null;
      listed.get(side)?.add(key);
    }
    const entry = removed.find((r) => r.file === side.file && r.reason === reason);
    if (entry) entry.keys.push(...present);
    else removed.push({ file: side.file, path: side.doc.path, section: side.section, keys: present, reason });
  };
  for (const way of source ? SHADOWS[source] : []) {
    for (const side of sides)
      drop(side, [...WAYS[way]], `AWS tools would use them instead of ${WHAT[source as Source]}`);
  }
  for (const [side, other] of [
    [credentials, config],
    [config, credentials],
  ] as const) {
    drop(
      other,
      valued(side.values),
      `${side.file === 'config' ? 'the config file' : 'the credentials file'} now sets them, and the AWS CLI and the AWS SDK for JavaScript would each read a different one`,
    );
  }
  if (credentials.values.aws_session_token !== undefined || config.values.aws_session_token !== undefined) {
    for (const side of sides)
      drop(side, ['aws_security_token'], 'the AWS CLI reads it before aws_session_token');
  }
  return removed;
}

function valued(values: Values): string[] {
  return Object.keys(values).filter((key) => values[key] !== null);
}

function refuseInherited(side: Side, keys: string[]): void {
  if (keys.length === 0) return;
  const model = readModel(side.doc);
  const line = model.defaults.get(keys[0] ?? '')?.lines[0] ?? 0;
  throw usageError(
    `${side.doc.path ?? 'INI text'} line ${line + 1} sets ${keys.join(', ')} in [DEFAULT], which the AWS CLI reads as part of every profile, ${shownName(side.section)} too.`,
    `Move ${keys.join(', ')} out of [DEFAULT] into the profiles that need them.`,
  );
}

/**
 * The SDK's view of the written profile: no key tempcreds removed or that would win over what it
 * wrote may remain where the SDK (but not botocore) reads one, such as an indented line that
 * botocore takes as part of the value above it.
 */
function checkSdkSees(
  result: ProfileFiles,
  profile: string,
  sides: Side[],
  source: Source | undefined,
): void {
  const removedOrShadowing = [
    ...sides.flatMap((side) => Object.keys(side.values).filter((key) => side.values[key] === null)),
    ...(source ? SHADOWS[source].flatMap((way) => [...WAYS[way]]) : []),
  ];
  for (const side of sides) {
    const other = sides.find((s) => s !== side);
    // Nor may the SDK read a key written into one file from the other.
    const banned = new Set([...removedOrShadowing, ...valued(other?.values ?? {})]);
    const doc = result[side.file];
    const names = side.file === 'credentials' ? [profile] : [`profile.${profile}`, 'default'];
    const keys = sdkProfile(sdkParse(renderIni(doc), new Set(names)), profile, side.file);
    const misread = (read: SdkKey, key: string) =>
      usageError(
        `${doc.path ?? 'INI text'} line ${read.line + 1} is read as ${key} of profile ${shownName(profile)} by the AWS SDK for JavaScript, but not by the AWS CLI: ${shownLine(doc.lines[read.line]?.text ?? '')}`,
        'Unindent it or remove it: the two would use different settings.',
      );
    for (const [key, read] of keys ?? []) {
      const written = side.values[key];
      if (typeof written === 'string' ? read.value !== written : banned.has(key)) throw misread(read, key);
    }
    const unread = valued(side.values).find((key) => !keys?.has(key));
    if (unread !== undefined) {
      throw new TempcredsError(
        `tempcreds bug: ${unread} of profile ${shownName(profile)} in ${doc.path ?? 'INI text'} would not be read by the AWS SDK for JavaScript.`,
        { kind: 'failed' },
      );
    }
  }
}
