import { getSection, sectionNames, type IniDocument } from './ini.js';
import type { AwsFiles } from './paths.js';
import { readIniFile } from './read.js';

/** A profile as the AWS CLI sees it. */
export interface Profile {
  name: string;
  /**
   * Its settings, keys lower-cased: `[profile NAME]` (or `[default]`) of the config file,
   * overridden key by key by `[NAME]` of the credentials file, as botocore merges them.
   * Nested settings are flattened (`s3.max_concurrent_requests`).
   */
  settings: Record<string, string>;
}

/**
 * Reads one profile from both files, or `undefined` when neither has it. Missing files are
 * empty; a malformed file throws a usage error naming its path and line.
 */
export async function readProfile(files: AwsFiles, name: string): Promise<Profile | undefined> {
  const [config, credentials] = await readBoth(files);
  const fromConfig = configSections(config)
    .filter(([, profile]) => profile === name)
    .map(([section]) => getSection(config, section));
  const parts = [...fromConfig, getSection(credentials, name)].filter((part) => part !== undefined);
  // Merged in file order: a later `[profile x]`, then the credentials file, wins.
  return parts.length === 0 ? undefined : { name, settings: Object.assign({}, ...parts) };
}

/** Profile names in both files: config file order first, then those only in the credentials file. */
export async function listProfiles(files: AwsFiles): Promise<string[]> {
  const [config, credentials] = await readBoth(files);
  return [
    ...new Set([...configSections(config).map(([, profile]) => profile), ...sectionNames(credentials)]),
  ];
}

function readBoth(files: AwsFiles): Promise<[IniDocument, IniDocument]> {
  return Promise.all([readIniFile(files.configFile), readIniFile(files.credentialsFile)]);
}

/**
 * `[section, profile]` pairs of the config file's profile sections. botocore takes `[default]`
 * and `[profile NAME]` (split on whitespace, so `[profile  x]` is `x`, and a quoted name may hold
 * spaces); anything else (`[foo]`, `[sso-session x]`, `[services x]`) is not a profile.
 */
function configSections(config: IniDocument): Array<[string, string]> {
  return sectionNames(config).flatMap((section): Array<[string, string]> => {
    if (section === 'default') return [[section, 'default']];
    const match = /^profile\s+(?:"([^"]*)"|'([^']*)'|(\S+))$/.exec(section);
    const profile = match?.[1] ?? match?.[2] ?? match?.[3];
    return profile ? [[section, profile]] : [];
  });
}
