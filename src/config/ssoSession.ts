import { getSection, sectionNames } from './ini.js';
import type { AwsFiles } from './paths.js';
import { shellWords } from './profiles.js';
import { readIniFile } from './read.js';

/**
 * The settings of `[sso-session NAME]` in the config file (keys lower-cased), or `undefined`
 * when there is none. botocore takes a section whose name splits into `sso-session` and one more
 * word (`[sso-session  x]`, `[sso-session "a b"]`); when two sections name the same session,
 * the later one wins.
 */
export async function readSsoSession(
  files: AwsFiles,
  name: string,
): Promise<Record<string, string> | undefined> {
  const config = await readIniFile(files.configFile);
  const section = sectionNames(config)
    .filter((s) => ssoSessionName(s) === name)
    .pop();
  return section === undefined ? undefined : getSection(config, section);
}

/**
 * The session a config file section is for, or `undefined`: botocore's `build_profile_map` takes
 * a section that starts with `sso-session` and splits (as a shell would) into exactly two words.
 */
export function ssoSessionName(section: string): string | undefined {
  if (!section.startsWith('sso-session')) return undefined;
  const words = shellWords(section);
  return words?.length === 2 ? words[1] : undefined;
}
