/**
 * How the AWS SDK for JavaScript v3 reads the same files (`@smithy/shared-ini-file-loader`'s
 * `parseIni` and `getConfigData`), which is not how botocore does: lines split on `\n` or `\r\n`
 * only, `#` or `;` after white space starts a comment anywhere, a header must end with `]`, keys
 * are case-sensitive and split on `=` only, and after `key =` with no value every indented line
 * is read as `key.sub`. tempcreds only writes what both read alike; this model is how it checks
 * (the tests compare it with the real loader).
 */

/** Where the SDK read a key: its value and the 0-based line. */
export interface SdkKey {
  value: string;
  line: number;
}

/** Sections as the SDK names them (`profile.x`, `sso-session.y`, `default`, or a bare name) and their keys. */
export type SdkSections = Map<string, Map<string, SdkKey>>;

// The SDK's own expressions, copied (the character class is the SDK's, `\w-@` included).
const PREFIXED = /^([\w-]+)\s(["'])?([\w-@+.%:/]+)\2$/;
const PREFIXES = ['profile', 'sso-session', 'services'];

/** The text of a line as the SDK looks at it: comment cut off, then trimmed. */
function sdkTrim(line: string): string {
  return (line.split(/(^|\s)[;#]/)[0] ?? '').trim();
}

/**
 * The SDK's name for a header line: a string when the SDK reads it as a header of that section,
 * `null` for a header whose keys it ignores (`[unknown-prefix x]`), `undefined` when it does not
 * read the line as a header at all.
 */
export function sdkHeader(line: string): string | null | undefined {
  const trimmed = sdkTrim(line);
  if (!(trimmed.startsWith('[') && trimmed.endsWith(']'))) return undefined;
  const name = trimmed.slice(1, -1);
  const match = PREFIXED.exec(name);
  if (!match) return name;
  const [, prefix = '', , rest = ''] = match;
  return PREFIXES.includes(prefix) ? `${prefix}.${rest}` : null;
}

/** A whole file as the SDK's `parseIni` reads it, with the line each key came from. */
export function sdkParse(text: string): SdkSections {
  const sections: SdkSections = new Map();
  let current: string | undefined;
  let sub: string | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    const header = sdkHeader(line);
    if (header !== undefined) {
      sub = undefined;
      current = header ?? undefined;
      return;
    }
    if (current === undefined) return;
    const trimmed = sdkTrim(line);
    const at = trimmed.indexOf('=');
    if (at <= 0) return;
    const name = trimmed.slice(0, at).trim();
    const value = trimmed.slice(at + 1).trim();
    if (value === '') {
      sub = name;
      return;
    }
    if (sub !== undefined && line.trimStart() === line) sub = undefined;
    // Like the SDK, a section exists once it has a key.
    const keys = sections.get(current) ?? new Map<string, SdkKey>();
    sections.set(current, keys);
    keys.set(sub === undefined ? name : `${sub}.${name}`, { value, line: index });
  });
  return sections;
}

/**
 * The keys the SDK reads for a profile from one file: in the config file `[profile NAME]`
 * (`[profile default]` wins over `[default]`), in the credentials file `[NAME]`.
 */
export function sdkProfile(sections: SdkSections, profile: string, file: 'config' | 'credentials') {
  if (file === 'credentials') return sections.get(profile);
  return sections.get(`profile.${profile}`) ?? (profile === 'default' ? sections.get('default') : undefined);
}
