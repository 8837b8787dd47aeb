import { flatten, sectionKeys, sectionNames, type IniDocument } from './ini.js';
import type { AwsFiles } from './paths.js';
import { readIniFile } from './read.js';

/** A profile as the AWS CLI sees it. */
export interface Profile {
  /** As the AWS CLI names it: `default`, or NAME of `[profile NAME]` (`[NAME]` in the credentials file). */
  name: string;
  /**
   * Its settings, keys lower-cased: the config file's section for it, overridden key by key by
   * `[NAME]` of the credentials file, as botocore merges them (`[DEFAULT]` keys included).
   * Nested settings are flattened (`s3.max_concurrent_requests`).
   */
  settings: Record<string, string>;
}

/**
 * Reads one profile from both files, or `undefined` when neither has it. Missing files are
 * empty; a file the AWS CLI cannot read throws a usage error naming its path and line.
 */
export async function readProfile(files: AwsFiles, name: string): Promise<Profile | undefined> {
  const [config, credentials] = await readBoth(files);
  return profileOf(config, credentials, name);
}

/** {@link readProfile} over files already parsed. */
export function profileOf(config: IniDocument, credentials: IniDocument, name: string): Profile | undefined {
  const section = configProfiles(config).get(name);
  const fromConfig = section === undefined ? undefined : sectionKeys(config, section);
  const fromCredentials = sectionKeys(credentials, name);
  if (!fromConfig && !fromCredentials) return undefined;
  // botocore's dict.update: a key of the credentials file replaces the config file's whole value.
  const merged = new Map([...(fromConfig ?? []), ...(fromCredentials ?? [])]);
  return { name, settings: flatten(merged.values()) };
}

/** Profile names in both files: config file order first, then those only in the credentials file. */
export async function listProfiles(files: AwsFiles): Promise<string[]> {
  const [config, credentials] = await readBoth(files);
  return profileNames(config, credentials);
}

/**
 * {@link listProfiles} over files already parsed: the order of `aws configure list-profiles`
 * (botocore's profile map: the config file's, then the credentials file's new names).
 */
export function profileNames(config: IniDocument, credentials: IniDocument): string[] {
  return [...new Set([...configProfiles(config).keys(), ...sectionNames(credentials)])];
}

/** Both files, parsed (missing files are empty). */
export function readBoth(files: AwsFiles): Promise<[IniDocument, IniDocument]> {
  return Promise.all([readIniFile(files.configFile), readIniFile(files.credentialsFile)]);
}

/**
 * The profiles of a config file and the section botocore reads each from. botocore's
 * `build_profile_map`: a section whose name starts with `profile` and splits (as a shell would)
 * into exactly two words is the profile named by the second (`[profile  x]`, `[profile "a b"]`,
 * even `[profilefoo bar]`); `[default]` is `default`; anything else (`[ tp ]`, `[sso-session x]`)
 * is not a profile. When two sections name the same profile, the later one replaces the earlier.
 */
export function configProfiles(config: IniDocument): Map<string, string> {
  const profiles = new Map<string, string>();
  for (const section of sectionNames(config)) {
    const profile = configSectionProfile(section);
    if (profile !== undefined) profiles.set(profile, section);
  }
  return profiles;
}

/** The profile a config file section is for, or `undefined` (see {@link configProfiles}). */
export function configSectionProfile(section: string): string | undefined {
  if (section.startsWith('profile')) return prefixedName(section);
  return section === 'default' ? 'default' : undefined;
}

/**
 * The sso-sessions of a config file and the section botocore reads each from: a section that
 * starts with `sso-session` and splits into exactly two words, as for profiles (the later of two
 * sections for one session wins).
 */
export function configSsoSessions(config: IniDocument): Map<string, string> {
  const sessions = new Map<string, string>();
  for (const section of sectionNames(config)) {
    if (!section.startsWith('sso-session')) continue;
    const name = prefixedName(section);
    if (name !== undefined) sessions.set(name, section);
  }
  return sessions;
}

/** botocore's `_parse_section`: the second of exactly two shell words, else nothing. */
function prefixedName(section: string): string | undefined {
  const words = shellWords(section);
  return words?.length === 2 ? words[1] : undefined;
}

/**
 * Python's `shlex.split(text)` (POSIX mode, no comments), or `undefined` where it raises
 * (an unclosed quote, a trailing backslash). Split on space, tab, CR and LF only.
 */
export function shellWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (' \t\r\n'.includes(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    word ??= '';
    if (c === '\\') {
      if (++i >= text.length) return undefined;
      word += text[i];
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      word += text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      const quoted = doubleQuoted(text, i + 1);
      if (!quoted) return undefined;
      word += quoted.value;
      i = quoted.end;
    } else {
      word += c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The text of a `"..."` word starting at `start` (after the quote): `\` escapes only `"` and `\`. */
function doubleQuoted(text: string, start: number): { value: string; end: number } | undefined {
  let value = '';
  for (let i = start; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') return { value, end: i };
    const next = text[i + 1];
    if (c === '\\' && (next === '"' || next === '\\')) {
      value += next;
      i++;
    } else {
      value += c;
    }
  }
  return undefined;
}
