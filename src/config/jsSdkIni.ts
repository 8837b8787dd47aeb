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
  // The comment expression only matters where there is a "#" or ";" (most lines have none).
  const cut = line.includes('#') || line.includes(';') ? (line.split(/(^|\s)[;#]/)[0] ?? '') : line;
  return cut.trim();
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

/**
 * A whole file as the SDK's `parseIni` reads it, with the line each key came from; with `only`,
 * the keys of those sections only (the rest of a large file is scanned for headers, not kept).
 */
export function sdkParse(text: string, only?: ReadonlySet<string>): SdkSections {
  const sections: SdkSections = new Map();
  let current: string | undefined;
  let sub: string | undefined;
  let index = 0;
  for (let start = 0; start <= text.length; index++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    start = end + 1;
    const header = line.includes('[') ? sdkHeader(line) : undefined;
    if (header !== undefined) {
      sub = undefined;
      current = header ?? undefined;
      continue;
    }
    if (current === undefined || (only && !only.has(current))) continue;
    sub = readKey(sections, current, line, index, sub);
  }
  return sections;
}

/**
 * One line of a section the SDK reads (see {@link sdkParse}); returns the nested block that is
 * open after it: `key =` with no value opens one, an unindented `key = value` closes it.
 */
function readKey(
  sections: SdkSections,
  current: string,
  line: string,
  index: number,
  sub: string | undefined,
): string | undefined {
  const trimmed = sdkTrim(line);
  const at = trimmed.indexOf('=');
  if (at <= 0) return sub;
  const name = trimmed.slice(0, at).trim();
  const value = trimmed.slice(at + 1).trim();
  if (value === '') return name;
  const block = sub !== undefined && line.trimStart() === line ? undefined : sub;
  // Like the SDK, a section exists once it has a key.
  const keys = sections.get(current) ?? new Map<string, SdkKey>();
  sections.set(current, keys);
  keys.set(block === undefined ? name : `${block}.${name}`, { value, line: index });
  return block;
}

/**
 * The keys the SDK reads for a profile from one file: in the config file `[profile NAME]`
 * (`[profile default]` wins over `[default]`), in the credentials file `[NAME]`.
 */
export function sdkProfile(sections: SdkSections, profile: string, file: 'config' | 'credentials') {
  if (file === 'credentials') return sections.get(profile);
  return sections.get(`profile.${profile}`) ?? (profile === 'default' ? sections.get('default') : undefined);
}
